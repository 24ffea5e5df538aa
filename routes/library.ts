// GET /library/v1/tracks: the whole library out, with no Spotify call (for batch jobs over
// thousands of tracks). Spotify's cursor paging (`limit` up to 1,000, `after`), or, with
// `Accept: application/x-ndjson`, every item streamed one JSON object a line, a page of rows read
// at a time. The library's user data: the owner's tokens and local ones only, as
// /v1/me/tracks from the library (docs/trust.md).
import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { sendLocal } from '../src/errors.js'
import { exportText, shapeExportItem } from '../src/library/export-format.js'
import { ExportQueryError, LibraryExport, parseSince, type ExportQuery } from '../src/library/export-reader.js'
import { TrustStore } from '../src/policy/trust.js'

const MAX_LIMIT = 1000
const DEFAULT_LIMIT = 100
const NDJSON = 'application/x-ndjson'

type Parsed = { query: ExportQuery, limit: number, after: number | null } | { error: string, status: number }

const library: FastifyPluginAsync = async (app) => {
  const exporter = new LibraryExport(app.db)
  const apiBase = `${app.config.publicUrl}/v1`

  app.get('/library/v1/tracks', async (req, reply) => {
    const refused = await refuse(req, reply)
    if (refused !== null) return refused
    const p = parse(req.query as Record<string, string | string[] | undefined>, app.library.getPlaylist.bind(app.library))
    if ('error' in p) return await sendLocal(reply, p.status, p.error)
    let total: number
    try {
      total = exporter.total(p.query)
    } catch (err) {
      if (err instanceof ExportQueryError) return await sendLocal(reply, 400, err.message)
      throw err
    }
    const o = { apiBase }
    reply.header('x-proxy-source', 'csv').header('cache-control', 'no-store')
    if (wantsNdjson(req.headers.accept)) {
      const text = exportText(exporter.pages(p.query, p.after), 'ndjson', p.query, o)
      return await reply.header('content-type', `${NDJSON}; charset=utf-8`).header('x-total-count', String(total)).send(Readable.from(text))
    }
    const page = exporter.page(p.query, p.after, p.limit)
    const self = `${app.config.publicUrl}/library/v1/tracks`
    const rawQuery = (req.raw.url ?? '').split('?')[1] ?? ''
    const kept = rawQuery.split('&').filter(kv => kv !== '' && !/^(after|limit)(=|$)/.test(kv))
    const url = (after: number | null): string => `${self}?${[...kept, `limit=${p.limit}`, ...(after === null ? [] : [`after=${after}`])].join('&')}`
    return await reply.send({
      href: url(p.after),
      items: page.items.map(i => shapeExportItem(i, p.query, o)),
      limit: p.limit,
      next: page.after === null ? null : url(page.after),
      // CursorObject's `after` is a string: absent on the last page.
      cursors: page.after === null ? {} : { after: String(page.after) },
      total
    })
  })

  /** 401 without a token or with one Spotify refused; 403 for a token not known as the owner's. */
  async function refuse (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | null> {
    if (!app.libraryState.enabled) return await sendLocal(reply, 503, 'The CSV library is disabled (SPOTIFY_CSV_BACKUP_ENABLED=false)')
    const who = app.proxy.trust.identify(TrustStore.bearer(req.headers.authorization))
    if (who.anonymous) return await sendLocal(reply, 401, 'No token provided')
    if (who.rejected) return await sendLocal(reply, 401, 'Spotify refused this access token (401); get a new one')
    if (!app.proxy.owner.isOwner(who)) {
      return await sendLocal(reply, 403, 'The library is its owner\'s: this token is neither a local token (SPOTIFY_PROXY_LOCAL_TOKENS) nor one Spotify verified through the proxy as the owner\'s')
    }
    return null
  }
}

function wantsNdjson (accept: string | undefined): boolean {
  return accept !== undefined && accept.split(',').some(a => a.split(';')[0]!.trim().toLowerCase() === NDJSON)
}

function parse (q: Record<string, string | string[] | undefined>, playlistById: (id: string) => ExportQuery['playlist'] | null): Parsed {
  const one = (name: string): string | undefined => {
    const v = q[name]
    return Array.isArray(v) ? v[v.length - 1] : v
  }
  const limitText = one('limit')
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !/^\d+$/.test(limitText ?? '1')) return { error: 'Invalid limit', status: 400 }
  const afterText = one('after')
  if (afterText !== undefined && !/^\d{1,15}$/.test(afterText)) return { error: 'Invalid cursor (after)', status: 400 }
  const query: ExportQuery = {}
  const savedText = one('saved')
  if (savedText !== undefined) {
    if (savedText !== 'true' && savedText !== 'false') return { error: 'Invalid saved: true or false', status: 400 }
    query.saved = savedText === 'true'
  }
  const playlistId = one('playlist')
  if (playlistId !== undefined) {
    const playlist = playlistById(playlistId)
    if (playlist === null || playlist === undefined) return { error: 'Playlist not in the library', status: 404 }
    query.playlist = playlist
  }
  const sinceText = one('added_since')
  if (sinceText !== undefined) {
    const since = parseSince(sinceText)
    if (since === null) return { error: 'Invalid added_since: a date (YYYY-MM-DD) or an ISO 8601 time', status: 400 }
    query.since = since
  }
  return { query, limit, after: afterText === undefined ? null : Number(afterText) }
}

export default library
