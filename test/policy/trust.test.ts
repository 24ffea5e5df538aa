import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db.js'
import { exportsOwnerOf, LibraryOwner, type ExportsOwner } from '../../src/policy/owner.js'
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
  t.same(trust.identify(null), { anonymous: true, local: false, trusted: false, rejected: false, principal: null, userId: null, country: null, hash: null })
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

const noExports: ExportsOwner = () => ({ agreed: null, candidates: [] })

t.test('the library owner is decided, never grabbed: configured, else the exports, else an explicit confirmation', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  const trust = new TrustStore(db, ['loc'])
  trust.learnUser('tok-a', 'alice', 'SE')
  trust.learnUser('tok-m', 'mallory', 'US')

  const nobody = new LibraryOwner(db, { configured: null, exports: () => ({ agreed: null, candidates: [{ id: 'alice', count: 3 }, { id: 'carol', count: 1 }] }) })
  t.equal(nobody.known(), null)
  nobody.learn({ id: 'mallory', displayName: 'M' })
  t.equal(nobody.known(), null, 'a verified /v1/me does not make its user the owner')
  t.notOk(nobody.isOwner(trust.identify('tok-m')))
  t.ok(nobody.isOwner(trust.identify('loc')), 'local tokens read the library')
  t.match(nobody.decision().detail, /several users \(alice \(3\), carol \(1\)\)/, 'says why and what to do')
  t.same(nobody.forAnswers(), { id: 'alice', displayName: null }, 'meanwhile answers name the user most playlists name')
  t.same(new LibraryOwner(db, { configured: null, exports: noExports }).forAnswers(), { id: 'local', displayName: null }, 'or `local` when they name none')

  const fromExports = new LibraryOwner(db, { configured: null, exports: () => ({ agreed: 'alice', candidates: [{ id: 'alice', count: 4 }] }) })
  t.match(fromExports.decision(), { owner: { id: 'alice' }, source: 'exports' })
  fromExports.learn({ id: 'mallory', displayName: 'M' })
  t.equal(fromExports.known()?.id, 'alice', 'a second user changes nothing')
  fromExports.learn({ id: 'alice', displayName: 'Alice A.' })
  t.same(fromExports.known(), { id: 'alice', displayName: 'Alice A.' }, 'the owner\'s own /v1/me gives the display name')
  t.ok(fromExports.isOwner(trust.identify('tok-a')))

  const configured = new LibraryOwner(db, { configured: 'bob', exports: () => ({ agreed: 'alice', candidates: [] }) })
  t.match(configured.decision(), { owner: { id: 'bob' }, source: 'configured' }, 'SPOTIFY_CSV_OWNER wins')
  t.notOk(configured.isOwner(trust.identify('tok-a')))
})

t.test('--adopt-owner: the first verified user becomes the owner, said once, kept across restarts', async t => {
  const file = path.join(t.testdir(), 'db.sqlite')
  const db = openDatabase(file)
  const adopted: string[] = []
  const owner = new LibraryOwner(db, { configured: null, exports: noExports, adopt: true, onAdopt: o => adopted.push(o.id) })
  owner.learn({ id: 'alice', displayName: 'Alice' })
  owner.learn({ id: 'mallory', displayName: 'M' })
  t.same(adopted, ['alice'])
  t.match(owner.decision(), { owner: { id: 'alice' }, source: 'confirmed' })
  db.close()
  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  t.equal(new LibraryOwner(db2, { configured: null, exports: noExports }).known()?.id, 'alice', 'kept in SQLite')
})

t.test('an owner learned silently by an earlier version is not kept', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  db.prepare("INSERT INTO meta (key, value) VALUES ('library_owner', ?)").run(JSON.stringify({ id: 'mallory', displayName: null }))
  t.equal(new LibraryOwner(db, { configured: null, exports: noExports }).known(), null)
})

t.test('token lineage: a refresh token of a known user makes its new access token that user\'s at once', async t => {
  const file = path.join(t.testdir(), 'db.sqlite')
  const db = openDatabase(file)
  const trust = new TrustStore(db, [])
  // The authorization-code exchange: the user is not known until the access token is verified.
  t.equal(trust.learnExchange({ grantType: 'authorization_code', refreshToken: null, accessToken: 'acc-1', newRefreshToken: 'ref-1' }), null)
  t.equal(trust.identify('acc-1').trusted, false, 'not verified by the exchange alone')
  trust.learnUser('acc-1', 'alice', 'SE')
  // An hour later: refreshed with ref-1, whose user is now known.
  t.equal(trust.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-1', accessToken: 'acc-2', newRefreshToken: null }), 'alice')
  t.match(trust.identify('acc-2'), { trusted: true, userId: 'alice', principal: 'alice', country: 'SE' })
  // Rotation: a new refresh token inherits the user, and produces the next access token.
  t.equal(trust.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-1', accessToken: 'acc-3', newRefreshToken: 'ref-2' }), 'alice')
  t.equal(trust.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-2', accessToken: 'acc-4', newRefreshToken: 'ref-3' }), 'alice')
  t.equal(trust.identify('acc-4').userId, 'alice')
  // A refresh token nobody verified teaches nothing until its access token is verified.
  t.equal(trust.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-stranger', accessToken: 'acc-s1', newRefreshToken: null }), null)
  t.equal(trust.identify('acc-s1').trusted, false)
  trust.learnUser('acc-s1', 'mallory', 'US')
  t.equal(trust.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-stranger', accessToken: 'acc-s2', newRefreshToken: null }), 'mallory', 'then it is mallory\'s, not alice\'s')
  t.equal(trust.learnExchange({ grantType: 'client_credentials', refreshToken: null, accessToken: 'app-1', newRefreshToken: null }), null)
  db.close()
  // Kept across a restart, as salted hashes only.
  const raw = (await import('node:fs')).readFileSync(file)
  for (const secret of ['ref-1', 'ref-2', 'acc-2', 'acc-4']) t.equal(raw.includes(Buffer.from(secret)), false, `${secret} is not in the file`)
  const db2 = openDatabase(file)
  t.teardown(() => db2.close())
  const again = new TrustStore(db2, [])
  t.equal(again.learnExchange({ grantType: 'refresh_token', refreshToken: 'ref-3', accessToken: 'acc-5', newRefreshToken: null }), 'alice')
  t.equal(again.identify('acc-4').userId, 'alice')
})

t.test('a token Spotify refused and nobody verified is trusted by nothing; a verified one keeps its trust', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  const trust = new TrustStore(db, [])
  trust.reject('junk-token')
  t.match(trust.identify('junk-token'), { trusted: false, rejected: true })
  trust.learnUser('expired', 'alice', 'SE')
  trust.reject('expired')
  t.match(trust.identify('expired'), { trusted: true, rejected: false }, 'an expired token of a verified user falls back as before')
  trust.accept('junk-token')
  t.match(trust.identify('junk-token'), { trusted: true, rejected: false }, 'a later success clears the rejection')
})

t.test('`demo` is local only while the demo library is served, decided per request', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  let demo = true
  const trust = new TrustStore(db, [], { demo: () => demo })
  t.equal(trust.identify('demo').local, true)
  demo = false
  t.match(trust.identify('demo'), { local: false, trusted: false })
  t.equal(trust.isLocal('demo'), false)
})

t.test('the users the exports name: most playlists first, ties by id, read again when the library changes', async t => {
  const db = openDatabase(path.join(t.testdir(), 'db.sqlite'))
  t.teardown(() => db.close())
  const add = db.prepare("INSERT INTO playlists (id, path, name, is_liked, id_source, track_count, owner_id) VALUES (?, ?, ?, 0, 'file', 0, ?)")
  let n = 0
  const playlistOf = (owner: string | null): void => { n++; add.run(`p${n}`, `p${n}.csv`, `P${n}`, owner) }
  for (const owner of ['carol', 'bob', 'carol', 'bob', 'alice', null]) playlistOf(owner)
  let version = 'v1'
  const exportsOwner = exportsOwnerOf(db, () => version)
  t.same(exportsOwner(), { agreed: null, candidates: [{ id: 'bob', count: 2 }, { id: 'carol', count: 2 }, { id: 'alice', count: 1 }] })
  const owner = new LibraryOwner(db, { configured: null, exports: exportsOwner })
  t.equal(owner.forAnswers().id, 'bob')
  playlistOf('carol')
  t.equal(owner.forAnswers().id, 'bob', 'the same library version: not read again')
  version = 'v2'
  t.equal(owner.forAnswers().id, 'carol', 'a new version: read again')
})
