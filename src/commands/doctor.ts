// `spotify-csv-proxy doctor`: checks what the proxy depends on (configuration, library, database,
// trust setup, upstream) without changing anything, and says what is wrong and how to fix it.
// Exit codes: 0 all fine, 1 warnings only, 2 something fails.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { request } from 'undici'
import { ConfigError, isDemoLibrary, isLoopbackHost, loadConfig, type Config } from '../config.js'
import { metaValue } from '../db.js'
import { chooseLibrary, type LibraryChoice } from '../library/identity.js'
import { LibraryPathError, listLibrary, type LibraryListing } from '../library/sources.js'
import { exportsOwnerOf, LibraryOwner } from '../policy/owner.js'

export type Verdict = 'ok' | 'warn' | 'fail'
export interface Check { name: string, verdict: Verdict, detail: string, fix?: string }

export const EXIT_DOCTOR_OK = 0
export const EXIT_DOCTOR_WARN = 1
export const EXIT_DOCTOR_FAIL = 2

export interface DoctorOptions {
  /** How long the upstream probe may take. */
  timeoutMs?: number
}

export async function runDoctor (overrides: Record<string, string | undefined>, env?: NodeJS.ProcessEnv, opts: DoctorOptions = {}): Promise<Check[]> {
  let config: Config
  try {
    config = loadConfig(overrides, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return [{ name: 'configuration', verdict: 'fail', detail: err.message, fix: 'correct the variable named above in your environment or .env (README: Configuration)' }]
  }
  const checks: Check[] = [{ name: 'configuration', verdict: 'ok', detail: `mode ${config.mode}, upstream ${config.apiBaseUrl}, listening on ${config.host}:${config.port}` }]
  checks.push(checkBinding(config))
  const db = checkDatabase(config)
  try {
    const library = await readLibrary(config, db.handle)
    checks.push(library.check, db.check)
    if (db.handle !== null) {
      checks.push(checkIndex(library.listing, db.handle))
      checks.push(checkTrust(config, library.demo, db.handle))
      checks.push(...checkOwner(config, db.handle))
      checks.push(checkCooldown(db.handle))
    }
  } finally {
    db.handle?.close()
  }
  checks.push(await checkUpstream(config, opts.timeoutMs ?? 5000))
  checks.push(await checkPort(config))
  return checks
}

export function exitCode (checks: readonly Check[]): number {
  if (checks.some(c => c.verdict === 'fail')) return EXIT_DOCTOR_FAIL
  return checks.some(c => c.verdict === 'warn') ? EXIT_DOCTOR_WARN : EXIT_DOCTOR_OK
}

export function formatChecks (checks: readonly Check[]): string {
  const mark: Record<Verdict, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }
  const lines = checks.map(c => `${mark[c.verdict]}  ${c.name}: ${c.detail}${c.fix === undefined ? '' : `\n      fix: ${c.fix}`}`)
  const failed = checks.filter(c => c.verdict === 'fail').length
  const warned = checks.filter(c => c.verdict === 'warn').length
  return `${lines.join('\n')}\n\n${failed === 0 && warned === 0 ? 'All checks passed.' : `${failed} failed, ${warned} warning(s).`}\n`
}

function checkBinding (c: Config): Check {
  if (isLoopbackHost(c.host)) return { name: 'binding', verdict: 'ok', detail: `${c.host} (this machine only)` }
  if (c.adminToken === null) {
    return { name: 'binding', verdict: 'warn', detail: `${c.host} is reachable from other machines, which can then use your cached data and reach /admin only with a token you have not set`, fix: 'bind HOST=127.0.0.1, or set SPOTIFY_PROXY_ADMIN_TOKEN (inside Docker, publish the port on 127.0.0.1 as the compose file does)' }
  }
  return { name: 'binding', verdict: 'ok', detail: `${c.host}, /admin behind SPOTIFY_PROXY_ADMIN_TOKEN` }
}

interface LibraryCheck { check: Check, listing: LibraryListing | null, demo: boolean }

/** The library serve would use (library/identity.ts), and what it holds. */
async function readLibrary (c: Config, db: Database.Database | null): Promise<LibraryCheck> {
  const fail = (detail: string, fix: string): LibraryCheck => ({ check: { name: 'library', verdict: 'fail', detail, fix }, listing: null, demo: false })
  if (!c.csvBackupEnabled) return { check: { name: 'library', verdict: 'warn', detail: 'SPOTIFY_CSV_BACKUP_ENABLED=false: only the cache can answer when Spotify cannot', fix: 'set SPOTIFY_CSV_BACKUP_ENABLED=true and SPOTIFY_CSV_BACKUP_PATH to your Exportify folder' }, listing: null, demo: false }
  let choice: LibraryChoice
  let listing: LibraryListing
  try {
    choice = chooseLibrary(c, db !== null && tableExists(db, 'meta') && tableExists(db, 'library_files') ? db : null)
    listing = await listLibrary(choice.root)
  } catch (err) {
    if (err instanceof LibraryPathError) return fail(err.message, 'create the folder or correct SPOTIFY_CSV_BACKUP_PATH')
    return fail(`cannot read the library: ${(err as Error).message}`, 'give the user running the proxy read access to the library folder')
  }
  if (listing.files.length === 0) return fail(`no CSV exports (.csv files, or Exportify's "Export All" .zip) under ${choice.root}`, 'point SPOTIFY_CSV_BACKUP_PATH at the folder holding your Exportify exports')
  try {
    for (const f of listing.files) fs.accessSync(f.abs, fs.constants.R_OK)
  } catch (err) {
    return fail(`cannot read the library: ${(err as Error).message}`, 'give the user running the proxy read access to the CSV files')
  }
  const demo = isDemoLibrary(choice.root)
  const detail = `${listing.files.length} CSV file(s) in ${choice.root}${demo ? ' (the shipped demo library: the `demo` token works; set SPOTIFY_CSV_BACKUP_PATH for your own)' : ''}${choice.how === 'indexed' ? ' (the library this database indexed: SPOTIFY_CSV_BACKUP_PATH is not set)' : ''}`
  if (choice.how === 'configured' && choice.indexed !== null && choice.indexed !== choice.root) {
    return {
      check: { name: 'library', verdict: 'warn', detail: `${detail}; but this database indexed ${choice.indexed}: the next serve or import replaces that index with this folder's`, fix: `to keep serving ${choice.indexed}, unset SPOTIFY_CSV_BACKUP_PATH (and --library); to switch, run \`spotify-csv-proxy import\`` },
      listing,
      demo
    }
  }
  return { check: { name: 'library', verdict: 'ok', detail }, listing, demo }
}

function checkDatabase (c: Config): { check: Check, handle: Database.Database | null } {
  if (c.dbPath === ':memory:') return { check: { name: 'database', verdict: 'warn', detail: 'in memory: the cache, trust and cooldown are lost at every restart', fix: 'set SPOTIFY_PROXY_DB to a file' }, handle: null }
  const dir = path.dirname(c.dbPath)
  if (!fs.existsSync(c.dbPath)) {
    try {
      fs.accessSync(fs.existsSync(dir) ? dir : path.dirname(dir), fs.constants.W_OK)
      return { check: { name: 'database', verdict: 'ok', detail: `${c.dbPath} does not exist yet; serve or import creates it` }, handle: null }
    } catch {
      return { check: { name: 'database', verdict: 'fail', detail: `cannot create ${c.dbPath}: ${dir} is not writable`, fix: 'choose a writable SPOTIFY_PROXY_DB, or fix the folder\'s owner (Docker: the /data volume)' }, handle: null }
    }
  }
  try {
    // Read-only: the doctor never changes the database.
    const db = new Database(c.dbPath, { readonly: true, fileMustExist: true })
    const result = db.pragma('quick_check', { simple: true }) as string
    if (result !== 'ok') {
      db.close()
      return { check: { name: 'database', verdict: 'fail', detail: `${c.dbPath} is damaged: ${result}`, fix: 'stop the proxy, move the file aside and run `spotify-csv-proxy import` (the cache starts empty)' }, handle: null }
    }
    fs.accessSync(dir, fs.constants.W_OK)
    return { check: { name: 'database', verdict: 'ok', detail: `${c.dbPath} (${(fs.statSync(c.dbPath).size / 1048576).toFixed(1)} MB, integrity ok)` }, handle: db }
  } catch (err) {
    return { check: { name: 'database', verdict: 'fail', detail: `cannot use ${c.dbPath}: ${(err as Error).message}`, fix: 'check the file\'s permissions, or point SPOTIFY_PROXY_DB elsewhere' }, handle: null }
  }
}

function tableExists (db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1
}

function checkIndex (listing: LibraryListing | null, db: Database.Database): Check {
  if (!tableExists(db, 'library_files')) return { name: 'library index', verdict: 'warn', detail: 'the library has not been indexed yet', fix: 'run `spotify-csv-proxy import` (serve does it at start)' }
  const indexed = db.prepare('SELECT path, size, mtime_ms FROM library_files').all() as Array<{ path: string, size: number, mtime_ms: number }>
  const byPath = new Map(indexed.map(r => [r.path, r]))
  let changed = 0
  let added = 0
  // No listing: the library check says why.
  for (const f of listing?.files ?? []) {
    const row = byPath.get(f.rel)
    if (row === undefined) added++
    else if (row.size !== f.size || Math.trunc(row.mtime_ms) !== f.mtimeMs) changed++
  }
  const problems = db.prepare('SELECT count(*) FROM import_problems').pluck().get() as number
  const tracks = db.prepare('SELECT count(*) FROM tracks').pluck().get() as number
  if (added + changed > 0) return { name: 'library index', verdict: 'warn', detail: `${tracks} tracks indexed; ${added} new and ${changed} changed file(s) not indexed yet`, fix: 'run `spotify-csv-proxy import`, or restart serve' }
  if (problems > 0) return { name: 'library index', verdict: 'warn', detail: `${tracks} tracks indexed; ${problems} row(s) or file(s) were rejected`, fix: 'run `spotify-csv-proxy import` to see each problem with its file and line' }
  return { name: 'library index', verdict: 'ok', detail: `${tracks} tracks indexed, up to date` }
}

function checkTrust (c: Config, demo: boolean, db: Database.Database): Check {
  const trusted = tableExists(db, 'trusted_tokens') ? db.prepare('SELECT count(*) FROM trusted_tokens').pluck().get() as number : 0
  const locals = c.localTokens.length + (demo ? 1 : 0)
  const detail = `${trusted} Spotify token(s) verified so far, ${locals} local token(s)`
  if (trusted === 0 && locals === 0) return { name: 'trust', verdict: 'warn', detail, fix: 'make one request through the proxy while Spotify is reachable (GET /v1/me), or refresh your token through its POST /api/token, so your token can read your data during an outage; or set SPOTIFY_PROXY_LOCAL_TOKENS for offline scripts' }
  return { name: 'trust', verdict: 'ok', detail }
}

/** Who owns the library and how that was decided (docs/trust.md), and what owner-on-loopback does. */
function checkOwner (c: Config, db: Database.Database): Check[] {
  const hasTables = tableExists(db, 'meta') && tableExists(db, 'playlists')
  const decision = hasTables ? new LibraryOwner(db, { configured: c.csvOwner, exports: exportsOwnerOf(db, () => '') }).decision() : null
  const owner: Check = decision === null
    ? { name: 'library owner', verdict: 'warn', detail: 'not decided yet: the library has not been indexed', fix: 'run `spotify-csv-proxy import`' }
    : decision.owner === null && c.csvBackupEnabled
      ? { name: 'library owner', verdict: 'warn', detail: `${decision.detail}; until then the library's playlists and saved tracks go to local tokens only`, fix: 'set SPOTIFY_CSV_OWNER to your Spotify user id, or run `spotify-csv-proxy link --owner <user id>`' }
      : { name: 'library owner', verdict: 'ok', detail: decision.detail }
  if (!c.ownerOnLoopback) return [owner]
  const applies = isLoopbackHost(c.host) && decision?.owner != null
  return [owner, applies
    ? { name: 'owner-on-loopback', verdict: 'ok', detail: `on: while Spotify cannot be asked, any token that reaches ${c.host}:${c.port} without being verified counts as ${decision.owner!.id}'s; Spotify checks it as soon as it can be asked, and a token it refuses loses that trust (logged)` }
    : { name: 'owner-on-loopback', verdict: 'warn', detail: `set but without effect: it needs a loopback HOST (now ${c.host}) and a known library owner (${decision?.owner?.id ?? 'none'})`, fix: isLoopbackHost(c.host) ? 'decide the owner (SPOTIFY_CSV_OWNER)' : 'bind HOST=127.0.0.1, or drop SPOTIFY_PROXY_TRUST' }]
}

function checkCooldown (db: Database.Database): Check {
  const raw = tableExists(db, 'meta') ? metaValue(db, 'cooldown').get() : undefined
  const c = raw === undefined ? null : JSON.parse(raw) as { until?: number, reason?: string }
  if (c?.until !== undefined && c.until > Date.now()) {
    return { name: 'cooldown', verdict: 'warn', detail: `Spotify said to wait (${c.reason ?? '429'}): no request goes upstream until ${new Date(c.until).toISOString()}`, fix: 'nothing to do: it ends by itself; meanwhile answers come from the cache and the CSV library' }
  }
  return { name: 'cooldown', verdict: 'ok', detail: 'none' }
}

/** Any HTTP answer means Spotify (or the configured upstream) is reachable; 401 is the normal one without a token. */
async function checkUpstream (c: Config, timeoutMs: number): Promise<Check> {
  const started = Date.now()
  try {
    const res = await request(`${c.apiBaseUrl}/v1/me`, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) })
    await res.body.dump()
    const ms = Date.now() - started
    if (res.statusCode >= 500) return { name: 'upstream', verdict: 'warn', detail: `${c.apiBaseUrl} answered ${res.statusCode} in ${ms} ms`, fix: 'Spotify is having trouble; the proxy falls back to the cache and CSV meanwhile' }
    return { name: 'upstream', verdict: 'ok', detail: `${c.apiBaseUrl} reachable (HTTP ${res.statusCode} in ${ms} ms)` }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code ?? (err as Error).name
    const verdict: Verdict = c.mode === 'offline' ? 'ok' : 'warn'
    return { name: 'upstream', verdict, detail: `${c.apiBaseUrl} not reachable (${cause})${c.mode === 'offline' ? '; fine in offline mode' : ''}`, fix: c.mode === 'offline' ? undefined : 'check your network or proxy settings; meanwhile answers come from the cache and the CSV library' }
  }
}

/** Whether HOST:PORT is free, or taken (by a running proxy, or by something else). */
async function checkPort (c: Config): Promise<Check> {
  const free = await new Promise<boolean>(resolve => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ host: c.host, port: c.port }, () => srv.close(() => resolve(true)))
  })
  if (free) return { name: 'port', verdict: 'ok', detail: `${c.host}:${c.port} is free for serve` }
  try {
    const res = await request(`http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}/healthz`, { headersTimeout: 2000, bodyTimeout: 2000 })
    const body = await res.body.text()
    if (res.statusCode === 200 && body.includes('"ok"')) return { name: 'port', verdict: 'ok', detail: `a proxy is already serving on ${c.host}:${c.port}` }
  } catch {
    // Something else holds the port.
  }
  return { name: 'port', verdict: 'fail', detail: `${c.host}:${c.port} is taken by another program`, fix: 'stop it, or choose another PORT (and use that port in your clients\' base URL)' }
}
