// Rewrites one section of RELIABILITY.md, between its `<!-- reliability:NAME:start/end -->` markers.
import fs from 'node:fs'
import path from 'node:path'
import { REPO } from './child.js'

export function writeSection (name: string, body: string): void {
  const file = path.join(REPO, 'RELIABILITY.md')
  const start = `<!-- reliability:${name}:start -->`
  const end = `<!-- reliability:${name}:end -->`
  const text = fs.readFileSync(file, 'utf8')
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a === -1 || b === -1) throw new Error(`RELIABILITY.md lacks the ${name} markers`)
  fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`)
  process.stderr.write('wrote RELIABILITY.md\n')
}
