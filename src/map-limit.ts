// A bounded-concurrency map: the fan-out of a refused batch asks Spotify a few ids at a time, and
// the benches warm their servers the same way.

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R> (items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
