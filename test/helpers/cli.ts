// How tests start the CLI in a child process: the compiled build in dist/ (what `npx` and the
// Docker image run) when it is at least as new as every source file, else the sources under tsx.
// `npm test` builds first (package.json); a test run alone after an edit falls back to the
// sources, so a stale build is never what a test checks. The build also starts ~0.3 s faster per
// child than tsx's loader (0.22 against 0.5 s for `--help`), over the suite's ~60 CLI children.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BUILT = path.join(ROOT, 'dist', 'src', 'cli.js')

/** The newest modification time of the .ts files under `dir` (0 when there are none). */
function newestSource (dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

function builtIsFresh (): boolean {
  let built: number
  try {
    built = fs.statSync(BUILT).mtimeMs
  } catch {
    return false
  }
  return Math.max(newestSource(path.join(ROOT, 'src')), newestSource(path.join(ROOT, 'routes'))) <= built
}

/** Which CLI the children run: 'dist' (compiled) or 'tsx' (the sources). */
export const CLI_RUNS: 'dist' | 'tsx' = builtIsFresh() ? 'dist' : 'tsx'

/** The node arguments that run `spotify-csv-proxy <args>` (any cwd). */
export function cliArgs (args: readonly string[]): string[] {
  return CLI_RUNS === 'dist' ? [BUILT, ...args] : ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args]
}
