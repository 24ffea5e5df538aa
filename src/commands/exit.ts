// How the CLI ends on an error. Kept apart from the commands so that src/cli.ts can judge an
// error without loading every command's module (it loads only the one that runs).

/** Done, nothing to report. */
export const EXIT_OK = 0
/** Done, but some rows or files were rejected (import). */
export const EXIT_REJECTED = 1
/** A fatal error: bad settings, an unreadable library or database. */
export const EXIT_FATAL = 2

/**
 * The `name`s of the errors whose message is meant for the user, printed without a stack: each
 * is thrown for something the user can fix (a setting, a path, an id), and says what.
 * test/commands/exit.test.ts checks that every such class is named here.
 */
export const USER_ERRORS: ReadonlySet<string> = new Set([
  'ConfigError', // src/config.ts
  'DatabaseOpenError', // src/db.ts
  'LibraryPathError', // src/library/sources.ts
  'PlaylistLinkError', // src/library/store.ts
  'ExportError', // src/commands/export.ts
  'HistoryError', // src/commands/history.ts
  'LinkError', // src/commands/link.ts
  'RemediateError' // src/commands/remediate.ts
])

/** Whether `err` is one of the errors above. */
export function isUserError (err: unknown): err is Error {
  return err instanceof Error && USER_ERRORS.has(err.name)
}
