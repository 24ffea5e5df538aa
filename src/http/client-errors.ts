// Requests Node's HTTP parser refuses before Fastify sees them (bad bytes in the request line or
// headers, headers over the size limit, a request that took too long): answered in Spotify's
// error shape too, so even these get an error a Spotify client can read.
import http from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

const MESSAGES: Record<number, string> = {
  400: 'Malformed request: the request line or a header is not valid HTTP',
  408: 'Request timeout',
  431: 'Request header fields too large'
}

export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  this.log.debug({ code: err.code }, 'client error')
  socket.end(rawError(status, MESSAGES[status]!))
}

/** A Spotify-shaped error as raw HTTP, for sockets Fastify never turns into a request. */
function rawError (status: number, message: string): string {
  const body = JSON.stringify({ error: { status, message } })
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Proxy-Source: local\r\nConnection: close\r\n\r\n${body}`
}

/**
 * CONNECT asks a proxy for a tunnel to another host: this one never opens one (it only talks to
 * its upstream). Node hands CONNECT to a separate event, unanswered unless someone listens.
 */
export function refuseConnect (_req: http.IncomingMessage, socket: Socket): void {
  socket.on('error', () => {})
  socket.end(rawError(405, 'CONNECT is not supported: this proxy only forwards Spotify Web API requests to its upstream'))
}
