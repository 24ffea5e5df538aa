// Docker cannot run in CI here, so the Dockerfile and compose file are checked by reading them.
// Each check is a function that returns a list of problems: the real files must give none, and
// the mutation table at the end shows that every check fails when the file is wrong.
import t from 'tap'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8')

const BASE_IMAGE = 'node:22-bookworm-slim'
const APP_PORT = '8888'
const EXPECTED_CMD = ['node', 'dist/src/cli.js', 'serve']

// Environment names and defaults of the external contract, copied here so the test stands alone.
// null: the contract states no literal default.
const CONTRACT_ENV: Record<string, string | null> = {
  SPOTIFY_CSV_BACKUP_ENABLED: 'true',
  SPOTIFY_CSV_BACKUP_PATH: null,
  SPOTIFY_CSV_CACHE_ENABLED: 'true',
  SPOTIFY_CSV_CACHE_TTL: '3600',
  SPOTIFY_CSV_FALLBACK_ON_RATE_LIMIT: 'true',
  SPOTIFY_CSV_FALLBACK_ON_ERROR: 'true',
  SPOTIFY_CSV_FALLBACK_ON_AUTH_ERROR: 'true',
  SPOTIFY_CSV_OWNER: null,
  SPOTIFY_API_BASE_URL: 'https://api.spotify.com',
  SPOTIFY_PROXY_DB: './data/spotify-csv-proxy.sqlite',
  SPOTIFY_PROXY_MODE: 'auto',
  SPOTIFY_PROXY_UPSTREAM_TIMEOUT_MS: '10000',
  SPOTIFY_PROXY_PUBLIC_URL: null,
  SPOTIFY_PROXY_LOCAL_TOKENS: '',
  SPOTIFY_PROXY_ADMIN_TOKEN: '',
  HOST: '127.0.0.1',
  PORT: '8888',
  LOG_LEVEL: 'info'
}
// In a container these defaults differ from the contract's on purpose
const CONTAINER_DEFAULTS: Record<string, string> = {
  SPOTIFY_PROXY_PUBLIC_URL: `http://127.0.0.1:${APP_PORT}`
}
// Interpolated by compose only, never seen by the app
const COMPOSE_ONLY_VARS = ['SPOTIFY_CSV_DIR']
// The brief's pass-through list: compose must forward these with their defaults
const PASSED_THROUGH = ['SPOTIFY_API_BASE_URL', 'SPOTIFY_PROXY_MODE', 'SPOTIFY_CSV_CACHE_TTL', 'SPOTIFY_PROXY_PUBLIC_URL', 'LOG_LEVEL']

// ---- repository view ----

function isDir (p: string): boolean {
  return existsSync(join(ROOT, p)) && statSync(join(ROOT, p)).isDirectory()
}

function hasFiles (p: string): boolean {
  for (const e of readdirSync(join(ROOT, p), { withFileTypes: true })) {
    if (e.isFile() || (e.isDirectory() && hasFiles(posix.join(p, e.name)))) return true
  }
  return false
}

function globToRegExp (glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? ''
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

// .dockerignore: patterns are relative to the context root, later lines win, `!` re-includes,
// and ignoring a directory ignores everything below it
const ignorePatterns = read('.dockerignore').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
function dockerIgnored (p: string): boolean {
  const parts = posix.normalize(p).split('/')
  let ignored = false
  for (const raw of ignorePatterns) {
    const negate = raw.startsWith('!')
    const re = globToRegExp(posix.normalize(raw.replace(/^!/, '').replace(/^\//, '')))
    for (let n = 1; n <= parts.length; n++) {
      if (re.test(parts.slice(0, n).join('/'))) ignored = !negate
    }
  }
  return ignored
}

const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string, rootDir: string } }
const tsconfigBuild = JSON.parse(read('tsconfig.build.json')) as { include: string[] }
const OUT_DIR = posix.normalize(tsconfig.compilerOptions.outDir)
const ROOT_DIR = posix.normalize(tsconfig.compilerOptions.rootDir)

// ---- Dockerfile ----

interface Instr { cmd: string, args: string }
interface Stage { name: string | null, base: string, instrs: Instr[] }

function parseDockerfile (text: string): Stage[] {
  const stages: Stage[] = []
  let buf: string | null = null
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    // comments and blank lines inside a continuation are dropped by Docker too
    if (/^\s*(#|$)/.test(line)) continue
    if (/\\\s*$/.test(line)) {
      buf = (buf ?? '') + line.replace(/\\\s*$/, ' ')
      continue
    }
    const full = (buf ?? '') + line
    buf = null
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(full)
    if (m === null) continue
    const cmd = (m[1] ?? '').toUpperCase()
    const args = (m[2] ?? '').trim()
    if (cmd === 'FROM') {
      const [base = '', as = '', name = null] = args.split(/\s+/).filter(w => !w.startsWith('--'))
      stages.push({ base, name: /^as$/i.test(as) ? name : null, instrs: [] })
    } else {
      stages.at(-1)?.instrs.push({ cmd, args })
    }
  }
  return stages
}

function execForm (args: string): string[] | null {
  try {
    const v: unknown = JSON.parse(args)
    return Array.isArray(v) && v.every(s => typeof s === 'string') ? v as string[] : null
  } catch {
    return null
  }
}

interface Copy { from: string | null, sources: string[], dest: string }
function parseCopy (args: string): Copy {
  const words = args.split(/\s+/)
  let from: string | null = null
  while (words[0]?.startsWith('--') === true) {
    const flag = words.shift() ?? ''
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length)
  }
  const rest = words.join(' ')
  const list = execForm(rest) ?? words
  return { from, sources: list.slice(0, -1), dest: list.at(-1) ?? '' }
}

function envOf (stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const i of stage.instrs.filter(i => i.cmd === 'ENV')) {
    const legacy = /^(\w+)\s+([^=]*)$/.exec(i.args)
    if (legacy !== null) {
      env[legacy[1] ?? ''] = (legacy[2] ?? '').trim()
      continue
    }
    for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '')
  }
  return env
}

// What each stage holds, as absolute paths: what it copied in, plus what npm ci and the build wrote
function stageOutputs (stage: Stage): { paths: string[], workdir: string } {
  const paths: string[] = []
  let workdir = '/'
  for (const i of stage.instrs) {
    if (i.cmd === 'WORKDIR') workdir = posix.resolve(workdir, i.args)
    if (i.cmd === 'COPY' || i.cmd === 'ADD') {
      const c = parseCopy(i.args)
      const dest = posix.resolve(workdir, c.dest)
      const intoDir = c.dest.endsWith('/') || c.sources.length > 1
      for (const s of c.sources) paths.push(intoDir ? posix.join(dest, posix.basename(s)) : dest)
    }
    if (i.cmd === 'RUN' && /\bnpm ci\b/.test(i.args)) paths.push(posix.join(workdir, 'node_modules'))
    if (i.cmd === 'RUN' && /\bnpm run build\b/.test(i.args)) paths.push(posix.join(workdir, OUT_DIR))
  }
  return { paths, workdir }
}

const covers = (paths: string[], p: string): boolean =>
  paths.some(q => q === p || p.startsWith(q + '/') || q.startsWith(p + '/'))

function dockerfileProblems (text: string): string[] {
  const p: string[] = []
  const stages = parseDockerfile(text)
  const final = stages.at(-1)
  if (final === undefined || stages.length < 2) return ['expected a multi-stage build (build stage + runtime stage)']
  const builders = stages.slice(0, -1)
  for (const s of stages) {
    // the native addon is built in one stage and run in the other: same glibc and Node ABI
    if (s.base !== BASE_IMAGE) p.push(`stage ${s.name ?? '(final)'} is FROM ${s.base}, expected ${BASE_IMAGE}`)
  }

  const runs = (s: Stage): string[] => s.instrs.filter(i => i.cmd === 'RUN').map(i => i.args)
  const buildRuns = builders.flatMap(runs)
  if (!buildRuns.some(r => /\bnpm ci\b/.test(r))) p.push('the build stage must install with `npm ci`')
  if (stages.flatMap(runs).some(r => /\bnpm (install|i|add)\b/.test(r))) p.push('use `npm ci`, not `npm install`')
  if (buildRuns.some(r => /\bnpm ci\b[^&;|]*--ignore-scripts/.test(r))) p.push('`npm ci --ignore-scripts` would skip building better-sqlite3')
  if (!buildRuns.some(r => /\bnpm run build\b/.test(r))) p.push('the build stage must run `npm run build`')
  if (!buildRuns.some(r => /\bnpm prune --omit=dev\b/.test(r))) p.push('the build stage must `npm prune --omit=dev` before node_modules is copied')
  for (const tool of ['python3', 'make', 'g++']) {
    const re = new RegExp(`apt-get install[^&;|]*\\s${tool.replace(/\+/g, '\\+')}(\\s|$)`)
    if (!buildRuns.some(r => re.test(r))) p.push(`the build stage must apt-get install ${tool} (node-gyp fallback for better-sqlite3)`)
  }

  for (const s of builders) {
    const ciAt = s.instrs.findIndex(i => i.cmd === 'RUN' && /\bnpm ci\b/.test(i.args))
    if (ciAt < 0) continue
    const before = stageOutputs({ ...s, instrs: s.instrs.slice(0, ciAt) })
    for (const f of ['package.json', 'package-lock.json']) {
      if (!before.paths.includes(posix.join(before.workdir, f))) p.push(`${f} must be copied before \`npm ci\``)
    }
    const buildAt = s.instrs.findIndex(i => i.cmd === 'RUN' && /\bnpm run build\b/.test(i.args))
    if (buildAt >= 0) {
      const atBuild = stageOutputs({ ...s, instrs: s.instrs.slice(0, buildAt) })
      const needed = ['tsconfig.json', 'tsconfig.build.json', ...tsconfigBuild.include]
      for (const f of needed) {
        if (!covers(atBuild.paths, posix.join(atBuild.workdir, f))) p.push(`${f} (needed by tsc -p tsconfig.build.json) is not copied before \`npm run build\``)
      }
    }
  }

  // every COPY from the context must exist, survive .dockerignore, and (for folders) survive git
  for (const s of stages) {
    for (const i of s.instrs.filter(i => i.cmd === 'COPY' || i.cmd === 'ADD')) {
      const c = parseCopy(i.args)
      if (c.from !== null) continue
      for (const src of c.sources) {
        const rel = posix.normalize(src.replace(/^\.\//, ''))
        if (/[*?]/.test(rel)) {
          const re = globToRegExp(rel)
          if (!readdirSync(ROOT).some(f => re.test(f))) p.push(`COPY source ${src} matches nothing in the repo`)
        } else if (!existsSync(join(ROOT, rel))) {
          p.push(`COPY source ${src} is not in the repo`)
        } else if (dockerIgnored(rel)) {
          p.push(`COPY source ${src} is excluded by .dockerignore`)
        } else if (isDir(rel) && !hasFiles(rel)) {
          p.push(`COPY source ${src} is an empty folder (git does not keep it)`)
        }
      }
    }
  }

  // every COPY --from=<stage> must name something that stage produced
  for (const i of final.instrs.filter(i => i.cmd === 'COPY')) {
    const c = parseCopy(i.args)
    if (c.from === null) continue
    const src = stages.find((s, n) => s.name === c.from || String(n) === c.from)
    if (src === undefined || src === final) {
      p.push(`COPY --from=${c.from} names no earlier stage`)
      continue
    }
    const out = stageOutputs(src)
    for (const f of c.sources) {
      const abs = posix.resolve(out.workdir, f)
      if (!covers(out.paths, abs)) p.push(`COPY --from=${c.from} ${f}: not produced by that stage`)
    }
  }

  // the runtime stage needs these four things at its WORKDIR
  const run = stageOutputs(final)
  for (const f of ['package.json', 'node_modules', OUT_DIR, 'demo-library']) {
    if (!run.paths.includes(posix.join(run.workdir, f))) p.push(`the runtime stage must copy ${f} into ${run.workdir}`)
  }

  const last = (cmd: string): Instr | undefined => final.instrs.filter(i => i.cmd === cmd).at(-1)
  const user = last('USER')?.args.split(':')[0]
  if (user === undefined) p.push('the runtime stage must set a USER')
  else if (user === 'root' || user === '0') p.push('the runtime USER must not be root')

  const hc = last('HEALTHCHECK')
  const hcCmd = hc === undefined ? null : /^(?:--\S+\s+)*CMD\s+([\s\S]+)$/.exec(hc.args)?.[1]
  if (hcCmd == null) p.push('the runtime stage needs a HEALTHCHECK … CMD')
  else {
    const argv = execForm(hcCmd) ?? hcCmd.split(/\s+/)
    if (argv[0] !== 'node') p.push('the HEALTHCHECK must run node (slim images have no curl or wget)')
    if (!/http:\/\/127\.0\.0\.1:.*\/healthz\b/.test(argv.join(' '))) p.push('the HEALTHCHECK must GET http://127.0.0.1:…/healthz')
  }

  if (!final.instrs.some(i => i.cmd === 'EXPOSE' && i.args.split(/\s+/).some(a => a.replace(/\/tcp$/, '') === APP_PORT))) {
    p.push(`the runtime stage must EXPOSE ${APP_PORT}`)
  }
  if (final.instrs.some(i => i.cmd === 'ENTRYPOINT')) p.push('no ENTRYPOINT expected: CMD alone starts the proxy')
  const cmd = last('CMD')
  const argv = cmd === undefined ? null : execForm(cmd.args)
  if (argv === null) p.push('CMD must be in exec (JSON) form')
  else if (JSON.stringify(argv) !== JSON.stringify(EXPECTED_CMD)) p.push(`CMD must be ${JSON.stringify(EXPECTED_CMD)}, got ${JSON.stringify(argv)}`)
  else {
    // dist/src/cli.js must be what tsc makes of a real source file
    const script = argv[1] ?? ''
    if (!covers(run.paths, posix.resolve(run.workdir, script))) p.push(`CMD runs ${script}, which the runtime stage does not copy`)
    const src = posix.join(ROOT_DIR, posix.relative(OUT_DIR, script)).replace(/\.js$/, '.ts')
    if (!existsSync(join(ROOT, src))) p.push(`CMD runs ${script} but its source ${src} does not exist`)
  }

  const env = envOf(final)
  if (env.HOST !== '0.0.0.0') p.push('the runtime stage must set HOST=0.0.0.0 (loopback is unreachable through a port mapping)')
  if (env.PORT !== APP_PORT) p.push(`the runtime stage must set PORT=${APP_PORT}`)
  if (env.SPOTIFY_PROXY_DB?.startsWith('/data/') !== true) p.push('SPOTIFY_PROXY_DB must point into /data')
  const volAt = final.instrs.findIndex(i => i.cmd === 'VOLUME' && (execForm(i.args) ?? i.args.split(/\s+/)).includes('/data'))
  if (volAt < 0) p.push('the runtime stage must declare VOLUME /data')
  else {
    // a new named volume copies the owner of the image's /data; after VOLUME, RUN changes are lost
    const chownAt = final.instrs.findIndex(i => i.cmd === 'RUN' && new RegExp(`chown\\s+(-R\\s+)?${user ?? '\\S+'}(:\\S+)?\\s+/data\\b`).test(i.args))
    if (chownAt < 0 || chownAt > volAt) p.push(`/data must be chowned to ${user ?? 'the runtime user'} before VOLUME /data`)
  }
  return p
}

// ---- docker-compose.yml ----

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : {})
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

// compose-style interpolation with no variables set: ${X:-d} and ${X-d} give d, ${X} and $X give ''
const withDefaults = (s: string): string =>
  s.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _n, d?: string) => d ?? '').replace(/\$(\w+)/g, '')

function composeProblems (text: string, dockerfile: string): string[] {
  const p: string[] = []
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    return [`docker-compose.yml is not valid YAML: ${(err as Error).message}`]
  }
  const services = asObj(asObj(doc).services)
  if (Object.keys(services).join(',') !== 'spotify-csv-proxy') p.push('expected exactly one service, spotify-csv-proxy')
  const svc = asObj(services['spotify-csv-proxy'])

  const build = svc.build
  if (build !== '.' && asObj(build).context !== '.') p.push('the service must build from . (this Dockerfile)')
  if (svc.restart !== 'unless-stopped') p.push('restart must be unless-stopped')
  const envFiles = asList(svc.env_file).map(v => (typeof v === 'string' ? { path: v, required: true } : asObj(v)))
  if (!envFiles.some(f => f.path === '.env' && f.required === false)) p.push('env_file must pass .env in, optional (required: false)')

  // ports: short "ip:host:container" strings or long-form objects
  const ports = asList(svc.ports).map(v => {
    if (typeof v === 'object' && v !== null) {
      const o = asObj(v)
      return { ip: String(o.host_ip ?? ''), published: String(o.published ?? ''), target: String(o.target ?? '') }
    }
    const m = /^(?:(.+):)?(\d+):(\d+)(?:\/\w+)?$/.exec(String(v))
    return m === null ? { ip: '', published: '', target: String(v) } : { ip: m[1] ?? '', published: m[2] ?? '', target: m[3] ?? '' }
  })
  if (ports.length === 0) p.push('the service must publish a port')
  for (const port of ports) {
    if (port.ip !== '127.0.0.1') p.push(`port ${port.published}:${port.target} must bind to 127.0.0.1 only (got "${port.ip}")`)
  }
  if (!ports.some(q => q.target === APP_PORT)) p.push(`container port ${APP_PORT} must be published`)

  const env: Record<string, string> = {}
  const rawEnv = svc.environment
  if (Array.isArray(rawEnv)) {
    for (const e of rawEnv) {
      const [k = '', ...v] = String(e).split('=')
      env[k] = v.join('=')
    }
  } else {
    for (const [k, v] of Object.entries(asObj(rawEnv))) env[k] = v === null ? '' : String(v)
  }

  // every SPOTIFY_* name, as a variable the app reads or one compose interpolates, must be known
  for (const k of Object.keys(env)) {
    if (k.startsWith('SPOTIFY_') && !(k in CONTRACT_ENV)) p.push(`environment sets ${k}, which is not in the contract`)
  }
  for (const m of text.matchAll(/\$\{?(\w+)/g)) {
    const name = m[1] ?? ''
    if (name.startsWith('SPOTIFY_') && !(name in CONTRACT_ENV) && !COMPOSE_ONLY_VARS.includes(name)) {
      p.push(`docker-compose.yml interpolates ${name}, which is not in the contract`)
    }
  }

  // pass-through entries: KEY: ${KEY:-default}, with the contract's default
  for (const [k, v] of Object.entries(env)) {
    const m = /^\$\{(\w+):-([^}]*)\}$/.exec(v)
    if (m === null) continue
    if (m[1] !== k) p.push(`${k} is filled from \${${m[1] ?? ''}}; pass it through under its own name`)
    const want = CONTAINER_DEFAULTS[k] ?? CONTRACT_ENV[k]
    if (want != null && m[2] !== want) p.push(`${k} defaults to "${m[2] ?? ''}", the contract says "${want}"`)
  }
  // the app rejects empty strings for optional values; a bare `KEY:` passes it only when set
  for (const [k, v] of Object.entries(env)) {
    if (/\$\{\w+(:?-)?\}/.test(v) && withDefaults(v) === '') p.push(`${k} can end up as an empty string; leave the value out to pass it through`)
  }
  for (const k of PASSED_THROUGH) {
    if (!new RegExp(`^\\$\\{${k}:-[^}]*\\}$`).test(env[k] ?? '')) p.push(`${k} must be passed through as \${${k}:-default}`)
  }
  const publicUrl = withDefaults(env.SPOTIFY_PROXY_PUBLIC_URL ?? '')
  if (!ports.some(q => publicUrl === `http://127.0.0.1:${q.published}`)) p.push(`SPOTIFY_PROXY_PUBLIC_URL (${publicUrl}) must match the published host port`)
  if (env.HOST !== undefined && env.HOST !== '0.0.0.0') p.push('HOST must stay 0.0.0.0 inside the container')
  if (env.PORT !== undefined && env.PORT !== APP_PORT) p.push(`PORT must stay ${APP_PORT}, the port that is published`)

  // volumes: short "src:target[:mode]" (after interpolation) or long form
  const volumes = asList(svc.volumes).map(v => {
    if (typeof v === 'object' && v !== null) {
      const o = asObj(v)
      return { source: withDefaults(String(o.source ?? '')), target: String(o.target ?? ''), ro: o.read_only === true }
    }
    const [source = '', target = '', mode = ''] = withDefaults(String(v)).split(':')
    return { source, target, ro: mode.split(',').includes('ro') }
  })
  const libPath = env.SPOTIFY_CSV_BACKUP_PATH
  const lib = volumes.find(v => v.target === libPath)
  if (libPath === undefined || lib === undefined) p.push('SPOTIFY_CSV_BACKUP_PATH must be set to the target of the library mount')
  else {
    if (!lib.ro) p.push(`the library mount ${lib.target} must be read-only`)
    const rel = lib.source.replace(/^\.\//, '')
    if (!lib.source.startsWith('.') || !isDir(rel)) p.push(`the library mount's default source "${lib.source}" must be a folder in the repo`)
  }
  const named = Object.keys(asObj(asObj(doc).volumes))
  const data = volumes.find(v => v.target === '/data')
  if (data === undefined || !named.includes(data.source)) p.push('/data must be a named volume declared under top-level volumes')

  const dbPaths = [envOf(parseDockerfile(dockerfile).at(-1) ?? { name: null, base: '', instrs: [] }).SPOTIFY_PROXY_DB, env.SPOTIFY_PROXY_DB]
  for (const db of dbPaths) {
    if (db !== undefined && !db.startsWith('/data/')) p.push(`SPOTIFY_PROXY_DB ${db} is outside the /data volume`)
  }

  const hc = asObj(svc.healthcheck)
  const test = Array.isArray(hc.test) ? hc.test.map(String) : String(hc.test ?? '').split(/\s+/)
  const argv = test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? test.slice(1) : test
  if (argv[0] !== 'node') p.push('the compose healthcheck must run node (no curl in the image)')
  if (!/http:\/\/127\.0\.0\.1:.*\/healthz\b/.test(argv.join(' '))) p.push('the compose healthcheck must GET http://127.0.0.1:…/healthz')
  return p
}

// ---- the tests ----

const DOCKERFILE = read('Dockerfile')
const COMPOSE = read('docker-compose.yml')

t.test('Dockerfile', async t => {
  t.strictSame(dockerfileProblems(DOCKERFILE), [], 'no problems')
})

t.test('docker-compose.yml', async t => {
  t.strictSame(composeProblems(COMPOSE, DOCKERFILE), [], 'no problems')
})

t.test('.dockerignore keeps host and private files out of the context', async t => {
  for (const p of ['node_modules', 'dist', 'data', '.git', '.tap', 'bench/.work', 'x.sqlite', 'data/x.sqlite-wal', '.env']) {
    t.ok(dockerIgnored(p), `${p} is ignored`)
  }
  for (const p of ['src', 'package.json', 'package-lock.json', 'demo-library']) t.notOk(dockerIgnored(p), `${p} is kept`)
})

t.test('the demo library the image ships is not empty', async t => {
  t.ok(readdirSync(join(ROOT, 'demo-library')).some(f => f.endsWith('.csv')), 'demo-library has CSV files')
})

// Each mutation breaks one rule; the checks above must notice. [what, file, from, to, expected problem]
/* eslint-disable no-template-curly-in-string -- ${VAR} here is compose syntax, not a JS template */
const MUTATIONS: Array<[string, 'docker' | 'compose', string | RegExp, string, RegExp]> = [
  ['npm install', 'docker', 'RUN npm ci', 'RUN npm install', /npm install/],
  ['no npm ci', 'docker', 'RUN npm ci', 'RUN npm --version', /install with `npm ci`/],
  ['ignore-scripts', 'docker', 'RUN npm ci', 'RUN npm ci --ignore-scripts', /ignore-scripts/],
  ['no build', 'docker', 'npm run build', 'true', /npm run build/],
  ['no prune', 'docker', 'npm prune --omit=dev', 'true', /prune/],
  ['no g++', 'docker', ' make g++', ' make', /g\+\+/],
  ['lockfile copied late', 'docker', 'COPY package.json package-lock.json ./', 'COPY package.json ./', /package-lock\.json must be copied/],
  ['routes not copied', 'docker', 'COPY routes ./routes\n', '', /routes .*not copied/],
  ['other base', 'docker', /FROM node:22-bookworm-slim\n\nENV/, 'FROM node:20-alpine\n\nENV', /node:20-alpine/],
  ['single stage', 'docker', /FROM node:22-bookworm-slim\n\nENV/, 'ENV', /multi-stage/],
  ['root user', 'docker', 'USER node', 'USER root', /must not be root/],
  ['no user', 'docker', 'USER node\n', '', /must set a USER/],
  ['curl healthcheck', 'docker', /CMD \["node", "-e", "fetch[^\n]*/, 'CMD curl -f http://127.0.0.1:8888/healthz', /must run node/],
  ['healthcheck path', 'docker', "'/healthz'", "'/readyz'", /healthz/],
  ['no healthcheck', 'docker', /HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '', /HEALTHCHECK/],
  ['expose', 'docker', 'EXPOSE 8888', 'EXPOSE 8080', /EXPOSE 8888/],
  ['cmd path', 'docker', '"dist/src/cli.js"', '"dist/cli.js"', /CMD must be/],
  ['shell cmd', 'docker', 'CMD ["node", "dist/src/cli.js", "serve"]', 'CMD node dist/src/cli.js serve', /exec/],
  ['copy from nowhere', 'docker', 'COPY --from=build /app/dist', 'COPY --from=build /app/out', /not produced/],
  ['no dist', 'docker', 'COPY --from=build /app/dist ./dist\n', '', /must copy dist/],
  ['missing context file', 'docker', 'COPY demo-library ./demo-library', 'COPY demo-library ./demo-library\nCOPY no-such-folder ./x', /no-such-folder is not in the repo/],
  ['ignored context file', 'docker', 'COPY src ./src', 'COPY src ./src\nCOPY node_modules ./node_modules', /excluded by \.dockerignore/],
  ['no package.json at runtime', 'docker', 'COPY package.json ./\nCOPY --from', 'COPY --from', /must copy package\.json/],
  ['host loopback', 'docker', 'HOST=0.0.0.0', 'HOST=127.0.0.1', /HOST=0\.0\.0\.0/],
  ['db outside volume', 'docker', 'SPOTIFY_PROXY_DB=/data/', 'SPOTIFY_PROXY_DB=/app/', /into \/data/],
  ['no chown', 'docker', 'RUN mkdir -p /data && chown node:node /data', 'RUN mkdir -p /data', /chowned/],
  ['no volume', 'docker', 'VOLUME /data', '', /VOLUME \/data/],
  ['bad yaml', 'compose', 'services:', 'services: [', /not valid YAML/],
  ['all interfaces', 'compose', '"127.0.0.1:8888:8888"', '"8888:8888"', /127\.0\.0\.1 only/],
  ['0.0.0.0', 'compose', '"127.0.0.1:8888:8888"', '"0.0.0.0:8888:8888"', /127\.0\.0\.1 only/],
  ['read-write library', 'compose', ':/library:ro', ':/library', /read-only/],
  ['library path mismatch', 'compose', 'SPOTIFY_CSV_BACKUP_PATH: /library', 'SPOTIFY_CSV_BACKUP_PATH: /csv', /SPOTIFY_CSV_BACKUP_PATH must be set/],
  ['unknown variable', 'compose', '      LOG_LEVEL:', '      SPOTIFY_CACHE_TTL: "60"\n      LOG_LEVEL:', /SPOTIFY_CACHE_TTL/],
  ['unknown interpolation', 'compose', '${SPOTIFY_CSV_DIR:-', '${SPOTIFY_LIBRARY:-', /interpolates SPOTIFY_LIBRARY/],
  ['wrong default', 'compose', '${SPOTIFY_PROXY_MODE:-auto}', '${SPOTIFY_PROXY_MODE:-offline}', /SPOTIFY_PROXY_MODE defaults/],
  ['not passed through', 'compose', 'LOG_LEVEL: ${LOG_LEVEL:-info}', 'LOG_LEVEL: info', /LOG_LEVEL must be passed through/],
  ['public url port', 'compose', '${SPOTIFY_PROXY_PUBLIC_URL:-http://127.0.0.1:8888}', '${SPOTIFY_PROXY_PUBLIC_URL:-http://127.0.0.1:9999}', /SPOTIFY_PROXY_PUBLIC_URL/],
  ['empty default', 'compose', 'SPOTIFY_PROXY_ADMIN_TOKEN:\n', 'SPOTIFY_PROXY_ADMIN_TOKEN: ${SPOTIFY_PROXY_ADMIN_TOKEN:-}\n', /empty string/],
  ['restart', 'compose', 'restart: unless-stopped', 'restart: always', /restart/],
  ['bind-mounted data', 'compose', '- proxy-data:/data', '- ./data:/data', /named volume/],
  ['compose healthcheck path', 'compose', "'/healthz'", "'/'", /healthz/],
  ['second service', 'compose', '\nvolumes:', '  other:\n    image: x\n\nvolumes:', /exactly one service/]
]
/* eslint-enable no-template-curly-in-string */

t.test('every check fails on a broken file', async t => {
  for (const [what, file, from, to, expected] of MUTATIONS) {
    const original = file === 'docker' ? DOCKERFILE : COMPOSE
    const broken = original.replace(from, to)
    t.not(broken, original, `${what}: the mutation applies`)
    const problems = file === 'docker' ? dockerfileProblems(broken) : composeProblems(broken, DOCKERFILE)
    t.ok(problems.some(m => expected.test(m)), `${what}: reported`, { problems })
  }
})
