// The caches are an optimisation: when SQLite cannot read or write them (a full disk, a damaged
// file, a table gone), a request goes on as a miss, or without being stored, instead of failing
// an answer upstream already gave. The failure is logged, at most once a minute per cache.
import type { FastifyBaseLogger } from 'fastify'
import type { EntityStore } from './entity-cache.js'
import type { ResponseStore } from './response-cache.js'
import type { SnapshotStore } from './snapshots.js'

const LOG_EVERY_MS = 60_000

/** Logs `err` as `what` being unavailable, at most once a minute. */
export function storeFailureLog (log: FastifyBaseLogger, what: string): (err: unknown) => void {
  let loggedAt = -Infinity
  return err => {
    const now = Date.now()
    if (now - loggedAt < LOG_EVERY_MS) return
    loggedAt = now
    log.warn({ err }, `${what} unavailable: going on without it`)
  }
}

function guard (log: FastifyBaseLogger, what: string): <T> (fn: () => T, fallback: T) => T {
  const report = storeFailureLog(log, what)
  return (fn, fallback) => {
    try {
      return fn()
    } catch (err) {
      report(err)
      return fallback
    }
  }
}

export function failSoftAnswers (cache: ResponseStore, log: FastifyBaseLogger): ResponseStore {
  const g = guard(log, 'response cache')
  return {
    get: key => g(() => cache.get(key), null),
    put: (key, answer, meta) => g(() => cache.put(key, answer, meta), undefined),
    refresh: key => g(() => cache.refresh(key), undefined),
    invalidate: opts => g(() => cache.invalidate(opts), 0)
  }
}

export function failSoftEntities (entities: EntityStore, log: FastifyBaseLogger): EntityStore {
  const g = guard(log, 'entity cache')
  return {
    harvest: (path, market, json, language) => g(() => entities.harvest(path, market, json, language), 0),
    getTracks: (ids, market, opts) => g(() => entities.getTracks(ids, market, opts), ids.map(() => null)),
    getAudioFeatures: (ids, opts) => g(() => entities.getAudioFeatures(ids, opts), ids.map(() => null))
  }
}

export function failSoftSnapshots (snapshots: SnapshotStore, log: FastifyBaseLogger): SnapshotStore {
  const g = guard(log, 'playlist snapshots')
  return {
    observe: json => g(() => snapshots.observe(json), []),
    confirmedSince: (id, time) => g(() => snapshots.confirmedSince(id, time), false)
  }
}
