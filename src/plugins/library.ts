// The CSV library: indexed on startup (incremental, so a restart with unchanged files costs
// milliseconds), then served read-only through LibraryStore.
import fp from 'fastify-plugin'
import { importLibrary, type ImportSummary } from '../library/importer.js'
import { LibraryStore } from '../library/store.js'

export interface LibraryState {
  enabled: boolean
  indexed: boolean
  summary: ImportSummary | null
}

declare module 'fastify' {
  interface FastifyInstance {
    library: LibraryStore
    libraryState: LibraryState
  }
}

export interface LibraryPluginOptions {
  enabled: boolean
  path: string
}

export default fp<LibraryPluginOptions>(async (app, opts) => {
  const state: LibraryState = { enabled: opts.enabled, indexed: false, summary: null }
  app.decorate('library', new LibraryStore(app.db))
  app.decorate('libraryState', state)
  if (!opts.enabled) return
  const summary = await importLibrary(app.db, opts.path, { logger: app.log })
  state.summary = summary
  state.indexed = true
  app.log.info({
    library: summary.root,
    tracks: summary.tracks,
    playlists: summary.playlists,
    likedSongs: summary.likedSongs,
    files: summary.files,
    problems: summary.problems.length,
    ms: summary.durationMs
  }, 'library indexed')
}, { name: 'library', dependencies: ['database'] })
