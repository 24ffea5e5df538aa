// Per-endpoint freshness rules (SPOTIFY_PROXY_CACHE_TTLS).
import t from 'tap'
import { BUILT_IN_TTL_RULES, parseTtlRules, ttlResolver, TtlRuleError } from '../../src/cache/ttl.js'

t.test('rules parse from path=seconds pairs', async t => {
  t.same(parseTtlRules(' audio-features = 604800 , /v1/me/=60,playlists/*/items=300,'), [
    { segments: ['audio-features'], seconds: 604800 },
    { segments: ['me'], seconds: 60 },
    { segments: ['playlists', '*', 'items'], seconds: 300 }
  ])
  t.same(parseTtlRules(''), [])
  t.same(parseTtlRules(BUILT_IN_TTL_RULES), [{ segments: ['me', 'player'], seconds: 0 }])
})

t.test('bad rules are refused with the rule named', async t => {
  for (const bad of ['tracks', 'tracks=-1', 'tracks=1.5', 'tracks=soon', '=60', 'me//tracks=5', '../etc=5', 'me?x=1=5']) {
    t.throws(() => parseTtlRules(bad), TtlRuleError, bad)
  }
  t.throws(() => parseTtlRules('tracks=x'), /"tracks=x"/)
})

t.test('the most specific rule wins, later ones among equals, else the default', async t => {
  const ttl = ttlResolver(parseTtlRules('me/player=0,me=60,playlists/*/items=300,tracks=10,tracks=20'), 3600)
  t.equal(ttl('/v1/me'), 60)
  t.equal(ttl('/v1/me/tracks?limit=50'), 60)
  t.equal(ttl('/v1/me/player/currently-playing'), 0)
  t.equal(ttl('/v1/playlists/abc/items?offset=100'), 300)
  t.equal(ttl('/v1/playlists/abc'), 3600, 'the playlist itself is not its items')
  t.equal(ttl('/v1/tracks/abc'), 20, 'later rule of equal length wins')
  t.equal(ttl('/v1/TRACKS/abc'), 20, 'segments compare case-insensitively')
  t.equal(ttl('/v1/albums/abc'), 3600)
  t.equal(ttl('/v1/mean'), 3600, 'whole segments only')
  t.equal(ttl('/v1/albums/abc'), 3600, 'remembered answers agree')
  t.equal(ttlResolver([], 42)('/v1/me'), 42)
})
