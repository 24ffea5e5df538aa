// Spotify's error shape, which every error the proxy sends uses, whoever raised it
// (https://developer.spotify.com/documentation/web-api/concepts/api-calls#response-status-codes).
export interface SpotifyError {
  error: { status: number, message: string }
}

export function spotifyError (status: number, message: string): SpotifyError {
  return { error: { status, message } }
}
