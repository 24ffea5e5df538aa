// Where a V8 CPU profile (.cpuprofile, as `node --cpu-prof` writes) spends its time: self and
// inclusive milliseconds per function, and a split by where the code lives (the proxy's own
// src/ and routes/, fastify, better-sqlite3, Node's internals, GC).
import fs from 'node:fs'
import path from 'node:path'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

export interface ProfileSummary {
  totalMs: number
  self: Array<{ name: string, ms: number }>
  inclusive: Array<{ name: string, ms: number }>
  areas: Array<{ area: string, ms: number }>
}

export function summariseProfile (file: string, repo: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const caller = (n: ProfileNode): ProfileNode | undefined => byId.get(parent.get(n.id) ?? -1)
  const jsName = (n: ProfileNode): string => {
    const f = n.callFrame
    const where = f.url === '' ? '' : ` ${shortUrl(f.url, repo)}:${f.lineNumber + 1}`
    return `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`
  }
  // A native frame (a C++ binding such as better-sqlite3's Statement.get, or a V8 builtin) is
  // named with its JS caller, so two \`get\`s from different places stay apart.
  const name = (n: ProfileNode): string => {
    const up = caller(n)
    return isNative(n.callFrame) && up !== undefined && up.callFrame.url !== '' ? `${jsName(n)} ← ${jsName(up)}` : jsName(n)
  }
  const areaOf = (n: ProfileNode): string => {
    const up = caller(n)
    return isNative(n.callFrame) && up !== undefined && up.callFrame.url !== '' ? `${area(up.callFrame, repo)}: native calls` : area(n.callFrame, repo)
  }

  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const areas = new Map<string, number>()
  let totalUs = 0
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time elapsed before sample i: charged to the sample it ends on.
    const us = Math.max(0, profile.timeDeltas[i] ?? 0)
    totalUs += us
    const leaf = byId.get(id)
    if (leaf === undefined) return
    add(self, name(leaf), us)
    add(areas, areaOf(leaf), us)
    const seen = new Set<string>()
    for (let n: ProfileNode | undefined = leaf; n !== undefined; n = caller(n)) {
      const key = name(n)
      if (!seen.has(key)) { seen.add(key); add(inclusive, key, us) }
    }
  })
  const sorted = (m: Map<string, number>, n: number): Array<[string, number]> =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, v / 1000])
  return {
    totalMs: totalUs / 1000,
    self: sorted(self, top).map(([k, ms]) => ({ name: k, ms })),
    inclusive: sorted(inclusive, top * 2).filter(([k]) => !k.startsWith('(root)')).map(([k, ms]) => ({ name: k, ms })),
    areas: sorted(areas, 20).map(([k, ms]) => ({ area: k, ms }))
  }
}

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)', '(root)'])

function isNative (f: CallFrame): boolean {
  return f.url === '' && !SPECIAL.has(f.functionName)
}

function add (m: Map<string, number>, key: string, us: number): void {
  m.set(key, (m.get(key) ?? 0) + us)
}

function shortUrl (url: string, repo: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url
  return file.startsWith(repo) ? path.relative(repo, file) : file
}

function area (f: CallFrame, repo: string): string {
  if (f.url === '') return SPECIAL.has(f.functionName) ? f.functionName : 'native (V8 builtins, C++ bindings)'
  const file = shortUrl(f.url, repo)
  if (file.startsWith('node:')) return 'Node internals (http, net, streams)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]
  if (pkg !== undefined) return pkg
  if (file.startsWith('src/') || file.startsWith('routes/')) return 'the proxy (src/, routes/)'
  return file
}

/** Markdown lines for the summary; `requests` served during the profile gives µs per request. */
export function profileMarkdown (s: ProfileSummary, label: string, requests: number): string[] {
  const pct = (ms: number): string => `${(ms / s.totalMs * 100).toFixed(1)}%`
  const us = (ms: number): string => (ms * 1000 / Math.max(1, requests)).toFixed(1)
  const row = (name: string, ms: number): string => `| ${name} | ${ms.toFixed(0)} | ${us(ms)} | ${pct(ms)} |`
  const lines = [`CPU profile of ${label}: ${s.totalMs.toFixed(0)} ms sampled, ${requests.toLocaleString('en-US')} requests.`, '']
  lines.push('| Where | ms | µs/request | share |', '|---|---:|---:|---:|')
  for (const a of s.areas) lines.push(row(a.area, a.ms))
  lines.push('', '| Self time: function | ms | µs/request | share |', '|---|---:|---:|---:|')
  for (const f of s.self) lines.push(row(`\`${f.name}\``, f.ms))
  lines.push('', '| Inclusive time: function | ms | µs/request | share |', '|---|---:|---:|---:|')
  for (const f of s.inclusive) lines.push(row(`\`${f.name}\``, f.ms))
  return lines
}
