// Whether a URL can be the upstream base. Its own module, free of undici, because configuration
// checks it and every CLI command loads configuration (src/cli.ts loads commands lazily).

/**
 * Why `url` cannot be the upstream base, or null. Configuration (serve, doctor) and the client
 * share it. Messages never repeat the URL: it may hold credentials.
 */
export function upstreamBaseProblem (url: string): string | null {
  let base: URL
  try {
    base = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return 'must be http: or https:'
  if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') return 'must not carry credentials, a query or a fragment'
  return null
}
