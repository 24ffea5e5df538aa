// pino options shared by the server and the CLI: JSON lines, pretty only on a terminal, and
// credentials redacted wherever they could appear in a logged object.
import pino, { type LoggerOptions } from 'pino'

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'adminToken',
  '*.adminToken',
  'localTokens',
  '*.localTokens'
]

export function loggerOptions (level: string, pretty = process.stdout.isTTY === true): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss' } } } : {})
  }
}

/** A logger on stderr, so command output on stdout stays clean for pipes. */
export function cliLogger (level: string): pino.Logger {
  const pretty = process.stderr.isTTY === true
  if (pretty) return pino(loggerOptions(level, true))
  return pino(loggerOptions(level, false), pino.destination(2))
}
