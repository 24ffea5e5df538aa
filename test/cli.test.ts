// The CLI as users run it: a real child process, real files, a real port.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { cliArgs } from './helpers/cli.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// No inherited SPOTIFY_* settings, and an upstream on a closed loopback port: no test reaches a real host.
const ENV = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_') && k !== 'PORT' && k !== 'HOST')), SPOTIFY_API_BASE_URL: 'http://127.0.0.1:9' }

function cli (args: string[], env: Record<string, string> = {}): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(args), { cwd: ROOT, env: { ...ENV, ...env }, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

t.test('--help for the program and every command', async t => {
  const top = cli(['--help'])
  t.equal(top.status, 0)
  for (const c of ['serve', 'import', 'link', 'doctor']) t.match(top.stdout, c)
  for (const [c, flag] of [['serve', '--port'], ['import', '--json'], ['link', '<playlist>'], ['doctor', 'exit 0 all fine']]) {
    const r = cli([c!, '--help'])
    t.equal(r.status, 0, `${c} --help`)
    t.match(r.stdout, flag!)
  }
  const bad = cli(['nonsense'])
  t.not(bad.status, 0)
  t.match(bad.stderr, /unknown command/)
})

t.test('import prints a summary; --json prints it as JSON; a second run reads nothing', async t => {
  const db = path.join(t.testdir(), 'x.sqlite')
  const first = cli(['import', '--db', db])
  t.equal(first.status, 0, first.stderr)
  t.match(first.stdout, /5 found, 5 read/)
  t.match(first.stdout, /53 tracks, 4 playlists, 30 liked songs/)
  const second = cli(['import', '--db', db, '--json'])
  t.equal(second.status, 0)
  const summary = JSON.parse(second.stdout)
  t.same(summary.files, { seen: 5, indexed: 0, unchanged: 5, removed: 0, skipped: 0 })
})

t.test('a bad setting is a fatal error (exit 2) with a clear message', async t => {
  const r = cli(['import', '--db', path.join(t.testdir(), 'x.sqlite')], { SPOTIFY_PROXY_MODE: 'sometimes' })
  t.equal(r.status, 2)
  t.match(r.stderr, /invalid configuration: .*SPOTIFY_PROXY_MODE/)
})

t.test('link gives a CSV file its real playlist id, kept by the next import', async t => {
  const db = path.join(t.testdir(), 'x.sqlite')
  t.equal(cli(['import', '--db', db]).status, 0)
  const r = cli(['link', 'spotify:playlist:37i9dQZF1DX8NTLI2TtZa6', 'Deep_Focus.csv', '--db', db])
  t.equal(r.status, 0, r.stderr)
  t.match(r.stdout, /Linked Deep_Focus\.csv \("Deep Focus"\) to/)
  const bad = cli(['link', 'not-an-id', 'Deep_Focus.csv', '--db', db])
  t.equal(bad.status, 2)
  t.match(bad.stderr, /not a Spotify playlist: give its id/)
  const missing = cli(['link', '37i9dQZF1DX8NTLI2TtZa6', 'Nope.csv', '--db', db])
  t.equal(missing.status, 2)
  t.match(missing.stderr, /no such CSV file/)
  const again = JSON.parse(cli(['import', '--db', db, '--json']).stdout)
  t.equal(again.files.unchanged, 5)
})

t.test('serve listens on 127.0.0.1 with the demo library and stops on SIGTERM', async t => {
  const dir = t.testdir()
  const child = spawn(process.execPath, cliArgs(['serve', '--port', '0', '--db', path.join(dir, 'x.sqlite')]), { cwd: ROOT, env: { ...ENV, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in time: ${out}`)), 30_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) { clearTimeout(timer); resolve(m[1]!) }
    })
  })
  const lines = out.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  t.ok(lines.some(l => l.msg === 'library indexed' && l.playlists === 4), 'logs are pino JSON when not on a terminal')
  t.ok(lines.some(l => typeof l.msg === 'string' && l.msg.includes('demo library')), 'the startup log says the demo library is served')
  const res = await fetch(`${url}/healthz`)
  t.equal(res.status, 200)
  const code = await new Promise<number | null>(resolve => {
    child.on('exit', c => resolve(c))
    child.kill('SIGTERM')
  })
  t.equal(code, 0)
})

t.test('doctor reports its checks and exits by the worst of them', async t => {
  const db = path.join(t.testdir(), 'd.sqlite')
  const r = cli(['doctor', '--json', '--db', db, '--port', '0'])
  const out = JSON.parse(r.stdout)
  t.equal(r.status, out.exitCode)
  t.equal(r.status, 1, 'upstream unreachable (the closed loopback port) is a warning')
  t.same(out.checks.find((c: { name: string }) => c.name === 'upstream').verdict, 'warn')
  const text = cli(['doctor', '--db', db, '--port', '0'])
  t.match(text.stdout, /WARN {2}upstream: http:\/\/127\.0\.0\.1:9 not reachable/)
  t.match(text.stdout, /fix: /)
  const bad = cli(['doctor'], { SPOTIFY_PROXY_MODE: 'sometimes' })
  t.equal(bad.status, 2)
  t.match(bad.stdout, /FAIL {2}configuration/)
})
