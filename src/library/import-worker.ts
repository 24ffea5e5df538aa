// Worker thread for large imports: reads, decodes, parses and maps files (the CPU-heavy half)
// while the main thread writes SQLite, so an import uses both cores of a small machine.
import { parentPort, workerData } from 'node:worker_threads'
import { fileEvents, type FileEvent, type ToRead } from './file-reader.js'
import { KeyTable } from './key-table.js'
import { readSources } from './sources.js'

export interface WorkerJob {
  files: ToRead[]
  /** The store holds no track yet: the reader numbers them (KeyTable). */
  fresh: boolean
}

/**
 * Messages posted but not yet applied by the main thread; beyond this the worker waits. Enough
 * for the writer to work on while the reader takes each new file's first passes (its hash, its
 * head) and posts nothing: with 4 messages of 2,000 rows, 200 files cost 3–4 s of waiting
 * (bench/import.ts). 32 of ROWS_PER_MESSAGE (entry-row.ts) are 6,400 rows, ~0.1 s of the writer's work.
 */
const MAX_IN_FLIGHT = 32

const port = parentPort!
const job = workerData as WorkerJob
const seen = new KeyTable(job.fresh)
let inFlight = 0
let wake: (() => void) | null = null
port.on('message', () => {
  inFlight--
  wake?.()
  wake = null
})

async function post (e: FileEvent | { t: 'done' }): Promise<void> {
  port.postMessage(e)
  if (++inFlight >= MAX_IN_FLIGHT) await new Promise<void>(resolve => { wake = resolve })
}

for await (const { file, open } of readSources(job.files)) {
  for await (const e of fileEvents(file, open, seen)) await post(e)
}
port.postMessage({ t: 'done' })
port.close()
