// `spotify-csv-proxy remediate`: compare a Notion music database with the CSV library, report,
// and (with --fix) repair it, journaling every write; `--undo <journal>` puts the old values back.
// Exit codes: 0 nothing differs (or undo done), 1 differences, unmatched pages or a stopped fix, 2 fatal.
import fs from 'node:fs'
import { buildApp } from '../http/app.js'
import type { Config } from '../config.js'
import { driftAgainstSpotify, driftTable } from '../remediation/against-spotify.js'
import { metaValue, openDatabase } from '../db.js'
import { chooseLibrary } from '../library/identity.js'
import { importLibrary } from '../library/importer.js'
import { LibraryStore } from '../library/store.js'
import { ChangeHistory } from '../library/history-log.js'
import type { PropertyMap } from '../remediation/fields.js'
import { NotionDatabase } from '../remediation/notion.js'
import { htmlReport, markdownReport, tableReport } from '../remediation/report.js'
import { remediate, undo, type Report } from '../remediation/run.js'
import { printable, terminalJson, terminalSafe } from '../terminal-text.js'

export interface RemediateFlags { against?: string, notionDatabase?: string, map?: string, fix?: boolean, undo?: string, json?: boolean, out?: string, journal?: string }
export class RemediateError extends Error { override name = 'RemediateError' }

export async function runRemediate (config: Config, flags: RemediateFlags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<number> {
  if (flags.against !== undefined) return await runAgainstSpotify(config, flags, env, out)
  // What is missing from the command line first: it costs nothing to fix, unlike a Notion integration.
  if (flags.undo === undefined && flags.notionDatabase === undefined) throw new RemediateError('--notion-database <id> is required')
  const token = env.NOTION_TOKEN
  if (token === undefined || token === '') throw new RemediateError('NOTION_TOKEN is not set: create an internal integration in Notion, share the database with it, and put its secret in NOTION_TOKEN')
  const notion = new NotionDatabase({ token, ...(env.NOTION_BASE_URL ? { baseUrl: env.NOTION_BASE_URL } : {}), ...(env.NOTION_MIN_INTERVAL_MS ? { minIntervalMs: Number(env.NOTION_MIN_INTERVAL_MS) } : {}) })
  if (flags.undo !== undefined) {
    const n = await undo(notion, flags.undo)
    out.write(`Restored ${n} properties from ${printable(flags.undo)}.\n`)
    return 0
  }
  const databaseId = flags.notionDatabase!
  const mapOverrides = flags.map === undefined ? {} : readMap(flags.map)
  const db = openDatabase(config.dbPath)
  try {
    await importLibrary(db, chooseLibrary(config, db).root)
    const report = await remediate({ store: new LibraryStore(db), changes: new ChangeHistory(db), notion, databaseId, mapOverrides, fix: flags.fix === true, journalFile: flags.journal })
    // The last report, for GET /admin/remediation/report.
    metaValue(db, 'remediation_report').set(JSON.stringify(report))
    if (flags.out !== undefined) fs.writeFileSync(flags.out, /\.html?$/i.test(flags.out) ? htmlReport(report) : markdownReport(report))
    out.write(flags.json === true ? terminalJson(report) : terminalSafe(tableReport(report)))
    return exitCode(report)
  } finally {
    db.close()
  }
}

/** The library against live Spotify, through the proxy's own upstream path. */
async function runAgainstSpotify (config: Config, flags: RemediateFlags, env: NodeJS.ProcessEnv, out: NodeJS.WritableStream): Promise<number> {
  if (flags.against !== 'spotify') throw new RemediateError(`--against takes "spotify", not ${JSON.stringify(flags.against)}`)
  const token = env.SPOTIFY_TOKEN
  if (token === undefined || token === '') throw new RemediateError('SPOTIFY_TOKEN is not set: put a Spotify access token there (the one your scripts use)')
  const app = await buildApp(config, { logger: false })
  try {
    const report = await driftAgainstSpotify(app.library, app.proxy, token)
    out.write(flags.json === true ? terminalJson(report) : terminalSafe(driftTable(report)))
    return report.stopped !== null || report.summary.drifted + report.summary.unavailable > 0 ? 1 : 0
  } finally {
    await app.close()
  }
}

function exitCode (r: Report): number {
  if (r.fix?.failed != null) return 1
  const s = r.summary
  const open = r.fix === undefined ? s.differs + s.missingInNotion : 0
  return open + s.unmatched + s.ambiguous > 0 ? 1 : 0
}

function readMap (file: string): PropertyMap {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { fields?: PropertyMap }
    return json.fields ?? (json as PropertyMap)
  } catch (err) {
    throw new RemediateError(`cannot read the property map ${file}: ${(err as Error).message}`)
  }
}
