// The Notion side, through @notionhq/client: the database's data source, its schema, every page
// (all cursors), and page updates. Every call waits its turn so at most 3 go out per second
// (Notion's documented average); the client itself retries a 429 after its Retry-After.
import { Client } from '@notionhq/client'

export interface NotionPage { id: string, properties: Record<string, Record<string, unknown> & { type: string }> }

export interface NotionOptions {
  token: string
  baseUrl?: string
  /** Least time between two requests; default 334 ms (3 per second). */
  minIntervalMs?: number
}

export class NotionDatabase {
  readonly #client: Client
  readonly #minIntervalMs: number
  #next = 0

  constructor (opts: NotionOptions) {
    this.#client = new Client({
      auth: opts.token,
      ...(opts.baseUrl === undefined ? {} : { baseUrl: opts.baseUrl }),
      // A 429's Retry-After is honoured by the client; a 500 is retried too, a few times.
      retry: { maxRetries: 3, initialRetryDelayMs: 500, maxRetryDelayMs: 60_000 },
      logLevel: 'error' as never
    })
    this.#minIntervalMs = opts.minIntervalMs ?? 334
  }

  async #turn (): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.#next)
    this.#next = at + this.#minIntervalMs
    if (at > now) await new Promise(resolve => setTimeout(resolve, at - now))
  }

  /** The database's first data source, and its schema (property name → type). */
  async open (databaseId: string): Promise<{ dataSourceId: string, schema: Record<string, string> }> {
    await this.#turn()
    const db = await this.#client.databases.retrieve({ database_id: databaseId }) as { data_sources?: Array<{ id: string }> }
    const dataSourceId = db.data_sources?.[0]?.id
    if (dataSourceId === undefined) throw new Error(`Notion database ${databaseId} has no data source`)
    await this.#turn()
    const ds = await this.#client.dataSources.retrieve({ data_source_id: dataSourceId }) as { properties: Record<string, { type: string }> }
    return { dataSourceId, schema: Object.fromEntries(Object.entries(ds.properties).map(([name, p]) => [name, p.type])) }
  }

  /** Every page, following next_cursor. */
  async pages (dataSourceId: string): Promise<NotionPage[]> {
    const out: NotionPage[] = []
    let cursor: string | undefined
    do {
      await this.#turn()
      const res = await this.#client.dataSources.query({ data_source_id: dataSourceId, page_size: 100, ...(cursor === undefined ? {} : { start_cursor: cursor }) }) as unknown as { results: NotionPage[], has_more: boolean, next_cursor: string | null }
      out.push(...res.results)
      cursor = res.has_more && res.next_cursor !== null ? res.next_cursor : undefined
    } while (cursor !== undefined)
    return out
  }

  async update (pageId: string, properties: Record<string, unknown>): Promise<void> {
    await this.#turn()
    await this.#client.pages.update({ page_id: pageId, properties: properties as never })
  }
}
