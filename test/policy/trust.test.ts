import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/library/db.js'
import { LibraryOwner } from '../../src/policy/owner.js'
import { TrustStore } from '../../src/policy/trust.js'

t.test('bearer tokens are read strictly', async t => {
  t.equal(TrustStore.bearer('Bearer abc.def-1'), 'abc.def-1')
  t.equal(TrustStore.bearer('bearer abc'), 'abc')
  t.equal(TrustStore.bearer('Basic abc'), null)
  t.equal(TrustStore.bearer('Bearer'), null)
  t.equal(TrustStore.bearer('Bearer a b'), null)
  t.equal(TrustStore.bearer(undefined), null)
})

t.test('a token is trusted once Spotify accepted it; only its salted hash is stored', async t => {
  const file = path.join(t.testdir(), 'db.sqlite')
  const db = openDatabase(file)
  const trust = new TrustStore(db, ['local-secret'])
  const token = 'BQD-real-looking-token-123'
  t.same(trust.identify(null), { anonymous: true, local: false, trusted: false, principal: null, userId: null, country: null, hash: null })
  const before = trust.identify(token)
  t.equal(before.trusted, false)
  t.match(before.principal, /^token:[0-9a-f]{16}$/)
  trust.accept(token)
  t.equal(trust.identify(token).trusted, true)
  t.equal(trust.identify(token).userId, null, 'accepted, user not yet known')
  trust.learnUser(token, 'alice', 'SE')
  t.match(trust.identify(token), { trusted: true, principal: 'alice', userId: 'alice', country: 'SE' })
  t.equal(trust.identify('another-token').trusted, false)
  const local = trust.identify('local-secret')
  t.match(local, { local: true, trusted: true, principal: 'local', hash: null })
  t.equal(trust.identify('local-secre').local, false)
  db.close()

  // Nothing in the file holds the token in clear, and a restart keeps the trust.
  const raw = (await import('node:fs')).readFileSync(file)
  t.equal(raw.includes(Buffer.from(token)), false)
  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  t.equal(new TrustStore(db2, []).identify(token).userId, 'alice')
})

t.test('the library owner: configured, or learned from the first /v1/me; local tokens are owners', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  const trust = new TrustStore(db, ['loc'])
  const learned = new LibraryOwner(db, null)
  t.equal(learned.known(), null)
  t.equal(learned.forAnswers().id, 'local', 'no playlists, nothing known')
  learned.learn({ id: 'alice', displayName: 'Alice' })
  learned.learn({ id: 'mallory', displayName: 'M' })
  t.same(learned.known(), { id: 'alice', displayName: 'Alice' }, 'the first one stays')
  trust.learnUser('tok-a', 'alice', 'SE')
  trust.learnUser('tok-m', 'mallory', 'US')
  t.ok(learned.isOwner(trust.identify('tok-a')))
  t.notOk(learned.isOwner(trust.identify('tok-m')))
  t.ok(learned.isOwner(trust.identify('loc')))
  t.same(new LibraryOwner(db, null).known()?.id, 'alice', 'kept in SQLite')

  const configured = new LibraryOwner(db, 'bob')
  t.equal(configured.known()?.id, 'bob', 'SPOTIFY_CSV_OWNER wins over what was learned')
  t.notOk(configured.isOwner(trust.identify('tok-a')))
})
