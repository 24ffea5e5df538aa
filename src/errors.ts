// Spotify's error shape, which every error the proxy sends uses, whoever raised it
// (https://developer.spotify.com/documentation/web-api/concepts/api-calls#response-status-codes).
export interface SpotifyError {
  error: { status: number, message: string }
}

export function spotifyError (status: number, message: string): SpotifyError {
  return { error: { status, message } }
}

/** The proxy's own error for a request, in Spotify's shape (`X-Proxy-Source: local`). */
export function sendLocal<R extends { code: (status: number) => R, header: (name: string, value: string) => R, send: (body: unknown) => R }> (reply: R, status: number, message: string): R {
  return reply.code(status).header('x-proxy-source', 'local').send(spotifyError(status, message))
}
