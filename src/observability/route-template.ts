// A request path reduced to its endpoint, for metric labels and the dashboard: ids and other
// values become `{id}`, so the label set stays small whatever clients ask.
const WORDS = new Set([
  'v1', 'me', 'tracks', 'albums', 'artists', 'audio-features', 'audio-analysis', 'playlists', 'items',
  'users', 'search', 'browse', 'categories', 'new-releases', 'featured-playlists', 'recommendations',
  'available-genre-seeds', 'markets', 'player', 'currently-playing', 'recently-played', 'queue', 'devices',
  'top', 'following', 'contains', 'followers', 'library', 'episodes', 'shows', 'audiobooks', 'chapters',
  'related-artists', 'top-tracks', 'images', 'play', 'pause', 'next', 'previous', 'seek', 'repeat', 'volume', 'shuffle'
])

export function routeTemplate (path: string): string {
  const pathname = path.split('?', 1)[0]!
  if (!pathname.startsWith('/v1/')) return pathname.length > 40 ? 'other' : pathname
  const segments = pathname.split('/').slice(1).map(s => (WORDS.has(s) ? s : '{id}'))
  const query = path.includes('?ids=') || path.includes('&ids=') ? '?ids' : ''
  return `/${segments.slice(0, 6).join('/')}${query}`
}
