// The CSV library: indexed on startup (incremental, so a restart with unchanged files costs
// milliseconds), then served read-only through LibraryStore. With no library configured, the one
// the database indexed last is served; the demo only on an empty database (library/identity.ts).
import fp from 'fastify-plugin'
import { chooseLibrary, LibraryIdentity } from '../library/identity.js'
import { importLibrary, type ImportSummary } from '../library/importer.js'
import { LibraryStore } from '../library/store.js'
import { printable } from '../terminal-text.js'

export interface LibraryState {
  enabled: boolean
  indexed: boolean
  summary: ImportSummary | null
}

declare module 'fastify' {
  interface FastifyInstance {
    library: LibraryStore
    libraryIdentity: LibraryIdentity
    libraryState: LibraryState
  }
}

export interface LibraryPluginOptions {
  enabled: boolean
  /** The configured library; used only when config.csvBackupPathSet says it was configured. */
  path: string
}

export default fp<LibraryPluginOptions>(async (app, opts) => {
  const state: LibraryState = { enabled: opts.enabled, indexed: false, summary: null }
  const store = new LibraryStore(app.db)
  const identity = new LibraryIdentity(app.db, () => store.version())
  app.decorate('library', store)
  app.decorate('libraryIdentity', identity)
  app.decorate('libraryState', state)
  if (!opts.enabled) return
  const choice = chooseLibrary({ csvBackupPath: opts.path, csvBackupPathSet: app.config.csvBackupPathSet }, app.db)
  const summary = await importLibrary(app.db, choice.root, { logger: app.log })
  state.summary = summary
  state.indexed = true
  // From here on the configuration describes the library served (the admin routes and the proxy
  // read it): with no path configured that is the database's own library, not the demo.
  const served = summary.files.seen === 0 && choice.indexed !== null ? choice.indexed : summary.root
  app.config.csvBackupPath = served
  app.config.demoLibrary = identity.isDemo()
  app.log.info({
    library: printable(served),
    chosen: choice.how,
    tracks: summary.tracks,
    playlists: summary.playlists,
    likedSongs: summary.likedSongs,
    files: summary.files,
    problems: summary.problems.length,
    ms: summary.durationMs
  }, 'library indexed')
  if (summary.files.seen === 0) app.log.warn({ library: printable(summary.root) }, 'no CSV exports (.csv, or Exportify\'s "Export All" .zip) found in the library folder: nothing was indexed from it')
  else if (summary.likedFiles === 0) app.log.info('no Liked Songs export in the library: saved tracks (/v1/me/tracks) come only from Spotify')
}, { name: 'library', dependencies: ['database'] })
