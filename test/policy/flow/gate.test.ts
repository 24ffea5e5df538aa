// The gate step: whether a request may go to Spotify now, and what it gets when it may not.
import t from 'tap'
import { gate } from '../../../src/policy/flow/gate.js'
import { ctxOf, fakes, NOW, type Fakes, type Who } from './fakes.js'

const TRACK = '/v1/tracks/4uLU6hMCjMI75M1A2tKUQC'
const SEVERAL = '/v1/tracks?ids=4uLU6hMCjMI75M1A2tKUQC,1301WleyT98MSxVHPZCA6M'

interface Case { name: string, path?: string, who?: Who, mode?: 'auto' | 'offline' | 'online', set?: (f: Fakes) => void, want: string }

const cases: Case[] = [
  { name: 'nothing in the way: go', want: 'go' },
  { name: 'offline mode: fall back', mode: 'offline', want: 'reason:offline-mode' },
  { name: 'a local token is answered offline', who: 'local', want: 'reason:offline-mode' },
  { name: 'a running cooldown: fall back with its reason', set: f => { f.cooldown.current = { until: NOW + 60_000, reason: 'quota-exceeded' } }, want: 'reason:quota-exceeded' },
  { name: 'a cooldown in online mode: a 429 with a capped Retry-After', mode: 'online', set: f => { f.cooldown.current = { until: NOW + 46_800_000, reason: 'quota-exceeded' } }, want: 'reply:429:60' },
  { name: 'the end of a cooldown being probed by another request: fall back', set: f => { f.cooldown.probing = true }, want: 'reason:quota-exceeded' },
  { name: 'an open breaker: fall back as unreachable', set: f => { f.breaker.failure(); f.breaker.failure() }, want: 'reason:upstream-unreachable' },
  { name: 'an open breaker in online mode: a 502', mode: 'online', set: f => { f.breaker.failure(); f.breaker.failure() }, want: 'reply:502:30' },
  { name: 'a refused endpoint: fall back as closed', path: '/v1/audio-features/4uLU6hMCjMI75M1A2tKUQC', set: f => { f.refusals.refuse('GET /v1/audio-features/{id}') }, want: 'reason:endpoint-closed' },
  { name: 'a refused batch of tracks: one by one', path: SEVERAL, set: f => { f.refusals.refuse('GET /v1/tracks?ids') }, want: 'fan-out:2' },
  { name: 'a refusal does not hold back an unverified token (Spotify judges it)', path: '/v1/audio-features/4uLU6hMCjMI75M1A2tKUQC', who: 'unverified', set: f => { f.refusals.refuse('GET /v1/audio-features/{id}') }, want: 'go' },
  { name: 'a refused /users/{id}/playlists is the own list for that user', path: '/v1/users/alice/playlists', set: f => { f.refusals.refuse('GET /v1/users/{id}/playlists') }, want: 'go' },
  { name: 'another user\'s list stays refused', path: '/v1/users/carol/playlists', set: f => { f.refusals.refuse('GET /v1/users/{id}/playlists') }, want: 'reason:endpoint-closed' },
  { name: 'an album id the library made up: from the library, Spotify knows none', path: '/v1/albums/0MadeUpAlbumId00000000', set: f => { f.libraryIds.add('0MadeUpAlbumId00000000') }, want: 'reason:library-id' },
  { name: 'a playlist id the library made up, its pages too', path: '/v1/playlists/0MadeUpPlaylistId00000/items', set: f => { f.libraryIds.add('0MadeUpPlaylistId00000') }, want: 'reason:library-id' },
  { name: 'a made-up id in online mode: Spotify is asked as told', mode: 'online', path: '/v1/albums/0MadeUpAlbumId00000000', set: f => { f.libraryIds.add('0MadeUpAlbumId00000000') }, want: 'go' },
  { name: 'an id of Spotify\'s own: asked', path: '/v1/albums/4aawyAB9vmqN3uQ7FjRGTy', set: f => { f.libraryIds.add('0MadeUpAlbumId00000000') }, want: 'go' },
  { name: 'a track id is never the library\'s own (tracks have Spotify ids or are local files)', path: '/v1/tracks/0MadeUpAlbumId00000000', set: f => { f.libraryIds.add('0MadeUpAlbumId00000000') }, want: 'go' },
  { name: 'a bad /tracks page size: Spotify\'s 400, before anything', path: '/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/tracks?limit=101', want: 'reply:400:' }
]

for (const c of cases) {
  t.test(c.name, async t => {
    const f = fakes()
    c.set?.(f)
    const g = gate(ctxOf(f, c.path ?? TRACK, c.who ?? 'owner', { mode: c.mode ?? 'auto' }), f.deps)
    const got = g.go ? 'go' : 'reason' in g ? `reason:${g.reason}` : 'fanOut' in g ? `fan-out:${g.fanOut.ids.length}` : `reply:${g.reply.status}:${g.reply.headers['retry-after'] ?? ''}`
    t.equal(got, c.want)
  })
}

t.test('the probe after a cooldown is marked as such', async t => {
  const f = fakes()
  f.deps.state.cooldown.gate = () => ({ open: true, probe: true })
  const g = gate(ctxOf(f, TRACK, 'owner'), f.deps)
  t.match(g, { go: true, probe: true, closed: null })
})
