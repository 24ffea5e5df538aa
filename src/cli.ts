#!/usr/bin/env node
// spotify-csv-proxy: serve | import | export | history | link | doctor | remediate. Flags map onto the env var names of the README and
// win over the environment, which wins over .env.
import { Command, Option } from 'commander'
import { loadConfig, type Config } from './config.js'
import { EXPORT_FORMATS, type ExportFormat } from './library/export-format.js'
import { EXIT_FATAL, isUserError } from './commands/exit.js'
import { printable, terminalJson, terminalSafe } from './terminal-text.js'

// Each command's module is loaded when that command runs: the server alone (fastify, undici, the
// policy) costs ~0.5 s to load, and `import`, `link` or `--help` need none of it.

interface CommonFlags { library?: string, db?: string, logLevel?: string }

const program = new Command('spotify-csv-proxy')
  .description('A local caching proxy for the Spotify Web API that answers from SQLite and your Exportify CSV backups when Spotify cannot.')
  .showHelpAfterError()

const common = (cmd: Command): Command => cmd
  .option('--library <path>', 'folder of Exportify CSVs (recursive) or one CSV file [SPOTIFY_CSV_BACKUP_PATH]')
  .option('--db <file>', 'SQLite file for the library index and cache [SPOTIFY_PROXY_DB]')
  .addOption(new Option('--log-level <level>', 'log level [LOG_LEVEL]').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))

function config (flags: CommonFlags, extra: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    SPOTIFY_CSV_BACKUP_PATH: flags.library,
    SPOTIFY_PROXY_DB: flags.db,
    LOG_LEVEL: flags.logLevel,
    ...extra
  })
}

common(program.command('serve')
  .description('run the proxy (default 127.0.0.1:8888); point clients at http://127.0.0.1:8888/v1')
  .option('--host <host>', 'address to bind [HOST]')
  .option('--port <port>', 'port to listen on [PORT]')
  .addOption(new Option('--mode <mode>', 'auto: upstream first; offline: never contact Spotify; online: never fall back [SPOTIFY_PROXY_MODE]').choices(['auto', 'offline', 'online']))
  .option('--adopt-owner', 'with no owner decided otherwise, the first user Spotify verifies through the proxy becomes the library\'s owner [SPOTIFY_PROXY_ADOPT_OWNER]'))
  .action(async (flags: CommonFlags & { host?: string, port?: string, mode?: string, adoptOwner?: boolean }) => {
    const { startServer } = await import('./http/server.js')
    await startServer(config(flags, { HOST: flags.host, PORT: flags.port, SPOTIFY_PROXY_MODE: flags.mode, SPOTIFY_PROXY_ADOPT_OWNER: flags.adoptOwner === true ? 'true' : undefined }))
  })

common(program.command('import')
  .description('(re)index the CSV library into SQLite; exit 0 when every file was read, 1 when some rows or files were rejected, 2 on a fatal error')
  .argument('[path]', 'folder or CSV file (default: SPOTIFY_CSV_BACKUP_PATH, else the demo library)')
  .option('--json', 'print the summary as JSON')
  .option('--no-progress', 'no progress bar even on a terminal'))
  .action(async (pathArg: string | undefined, flags: CommonFlags & { json?: boolean, progress: boolean }) => {
    const cfg = config({ ...flags, library: pathArg ?? flags.library })
    const [{ runImport }, { cliLogger }] = await Promise.all([import('./commands/import.js'), import('./http/logger.js')])
    process.exitCode = await runImport(cfg, {
      json: flags.json === true,
      progress: flags.progress && process.stderr.isTTY === true,
      logger: cliLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel),
      out: process.stdout
    })
  })

common(program.command('export')
  .description('write the indexed library out (no Spotify call): every track once, or a playlist\'s or the saved tracks\' entries; exit 0 done, 2 error')
  .addOption(new Option('--format <format>', 'ndjson: one Spotify JSON object a line; csv: Exportify\'s columns (import reads it back); json: one array').choices(EXPORT_FORMATS).default('ndjson'))
  .option('--out <file>', 'write to this file (default: standard output)')
  .option('--playlist <id-or-name>', 'the entries of this playlist, in order')
  .option('--saved', 'the saved tracks (Liked Songs), most recently added first')
  .option('--since <date>', 'with --playlist or --saved: entries added on or after this date (YYYY-MM-DD or ISO 8601 time)')
  .option('--no-progress', 'no progress bar even on a terminal'))
  .action(async (flags: CommonFlags & { format: ExportFormat, out?: string, playlist?: string, saved?: boolean, since?: string, progress: boolean }) => {
    const { runExport } = await import('./commands/export.js')
    process.exitCode = await runExport(config(flags), {
      format: flags.format,
      out: flags.out,
      playlist: flags.playlist,
      saved: flags.saved === true,
      since: flags.since,
      progress: flags.progress && process.stderr.isTTY === true,
      stdout: process.stdout,
      stderr: process.stderr
    })
  })

common(program.command('history')
  .description('what each import changed in the library: entries added, removed and moved per playlist, track fields changed, tracks gone from every export; exit 0, 2 on error')
  .option('--since <date>', 'changes of imports on or after this date (YYYY-MM-DD or ISO 8601 time)')
  .option('--playlist <name>', 'one playlist\'s changes')
  .option('--json', 'print the changes as JSON'))
  .action(async (flags: CommonFlags & { since?: string, playlist?: string, json?: boolean }) => {
    const { runHistory } = await import('./commands/history.js')
    process.exitCode = runHistory(config(flags), { since: flags.since, playlist: flags.playlist, json: flags.json === true, out: process.stdout })
  })

common(program.command('link')
  .usage('[options] <playlist> <csv-file>  |  link --owner <user-id>')
  .description('use a real Spotify playlist id for a CSV file of the library (kept across re-imports); or, with --owner, name the library\'s owner. Exit 0 done, 1 nothing changed (already so; or another rule still decides the owner), 2 error')
  .argument('[playlist]', 'the playlist id, spotify:playlist: URI or open.spotify.com link (as the share menu copies it)')
  .argument('[csv-file]', 'the CSV file, as a path or relative to the library folder')
  .option('--owner <user-id>', 'the Spotify user the library belongs to: only their tokens (and local ones) read its playlists and saved tracks'))
  .action(async (playlist: string | undefined, csvFile: string | undefined, flags: CommonFlags & { owner?: string }, cmd: Command) => {
    const { runLink, runLinkOwner } = await import('./commands/link.js')
    if (flags.owner !== undefined) {
      if (playlist !== undefined) cmd.error('link --owner takes no playlist or file', { exitCode: EXIT_FATAL })
      const d = runLinkOwner(config(flags), flags.owner)
      process.stdout.write(`Library owner: ${printable(d.detail)}\n`)
      if (d.source !== 'confirmed') process.exitCode = 1
      return
    }
    if (playlist === undefined || csvFile === undefined) cmd.error('link needs <playlist> and <csv-file> (or --owner <user-id>)', { exitCode: EXIT_FATAL })
    const r = runLink(config(flags), playlist, csvFile)
    const file = `${printable(r.path)}${r.name === null ? '' : ` ("${printable(r.name)}")`}`
    if (!r.changed) {
      process.stdout.write(`${file} is already linked to ${r.playlistId}: nothing changed.\n`)
      process.exitCode = 1
      return
    }
    process.stdout.write(r.name === null
      ? `Linked ${file} to ${r.playlistId}; it takes effect at the next import.\n`
      : `Linked ${file} to ${r.playlistId}.\n`)
  })

common(program.command('doctor')
  .description('check configuration, library, database, trust setup and upstream reachability, and say how to fix what is wrong; exit 0 all fine, 1 warnings, 2 failures')
  .option('--host <host>', 'address serve would bind [HOST]')
  .option('--port <port>', 'port serve would listen on [PORT]')
  .option('--json', 'print the checks as JSON'))
  .action(async (flags: CommonFlags & { host?: string, port?: string, json?: boolean }) => {
    const { exitCode, formatChecks, runDoctor } = await import('./commands/doctor.js')
    const checks = await runDoctor({ SPOTIFY_CSV_BACKUP_PATH: flags.library, SPOTIFY_PROXY_DB: flags.db, LOG_LEVEL: flags.logLevel, HOST: flags.host, PORT: flags.port })
    process.stdout.write(flags.json === true ? terminalJson({ checks, exitCode: exitCode(checks) }) : terminalSafe(formatChecks(checks)))
    process.exitCode = exitCode(checks)
  })

common(program.command('remediate')
  .description('compare a Notion music database with the CSV library and report; --fix writes what differs (journaled), --undo puts it back; exit 0 nothing differs, 1 differences/unmatched/stopped, 2 fatal. Needs NOTION_TOKEN (NOTION_BASE_URL for another endpoint)')
  .option('--notion-database <id>', 'the Notion database id')
  .option('--against <source>', '"spotify": report where the library is out of date against live Spotify, through the proxy\'s own upstream path (needs SPOTIFY_TOKEN)')
  .option('--map <file>', 'JSON file {"fields": {"title": "Name", "tempo": "BPM", …}} overriding the detected property map')
  .option('--fix', 'write the differences to Notion (default: dry run)')
  .option('--journal <file>', 'where --fix writes its undo journal (default: remediation-<time>.jsonl)')
  .option('--undo <journal>', 'restore the values a --fix run replaced')
  .option('--json', 'print the report as JSON')
  .option('--out <file>', 'also write the report as Markdown (.md) or HTML (.html)'))
  .action(async (flags: CommonFlags & { against?: string, notionDatabase?: string, map?: string, fix?: boolean, journal?: string, undo?: string, json?: boolean, out?: string }, cmd: Command) => {
    if (flags.notionDatabase === undefined && flags.undo === undefined && flags.against === undefined) {
      process.stderr.write(`${cmd.helpInformation()}\nremediate needs --notion-database <id> (or --undo <journal>, or --against spotify).\n`)
      process.exitCode = EXIT_FATAL
      return
    }
    const { runRemediate } = await import('./commands/remediate.js')
    process.exitCode = await runRemediate(config(flags), flags, process.env, process.stdout)
  })

try {
  await program.parseAsync()
} catch (err) {
  process.stderr.write(`spotify-csv-proxy: ${isUserError(err) ? printable(err.message) : terminalSafe((err as Error).stack ?? String(err))}\n`)
  process.exitCode = EXIT_FATAL
}
