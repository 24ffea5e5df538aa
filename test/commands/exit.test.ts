// src/cli.ts judges an error by its name (it loads only the running command's module, so it
// cannot hold every error class): each error meant for the user must be named in USER_ERRORS,
// and nothing else may be, or a bug would print as a one-line message without its stack.
import t from 'tap'
import { isUserError, USER_ERRORS } from '../../src/commands/exit.js'
import { ExportError } from '../../src/commands/export.js'
import { HistoryError } from '../../src/commands/history.js'
import { LinkError } from '../../src/commands/link.js'
import { RemediateError } from '../../src/commands/remediate.js'
import { ConfigError } from '../../src/config.js'
import { DatabaseOpenError } from '../../src/db.js'
import { LibraryPathError } from '../../src/library/sources.js'
import { PlaylistLinkError } from '../../src/library/store.js'

const USER_ERROR_CLASSES = [ConfigError, DatabaseOpenError, LibraryPathError, PlaylistLinkError, ExportError, HistoryError, LinkError, RemediateError]

t.test('every error meant for the user is known by its name, and only those', async t => {
  for (const Class of USER_ERROR_CLASSES) {
    const err = new Class('what to fix')
    t.equal(err.name, Class.name, `${Class.name} names itself`)
    t.ok(isUserError(err), `${Class.name} is printed as its message`)
  }
  t.same([...USER_ERRORS].sort(), USER_ERROR_CLASSES.map(c => c.name).sort(), 'USER_ERRORS names exactly these classes')
  for (const err of [new Error('bug'), new TypeError('bug'), new RangeError('bug')]) t.notOk(isUserError(err), `${err.name} keeps its stack`)
  t.notOk(isUserError({ name: 'ConfigError', message: 'not an Error' }), 'an object that is no Error is not one')
  t.notOk(isUserError('ConfigError'), 'nor a string')
})
