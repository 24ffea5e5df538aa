// A bounded memo for the import's hot lookups: cheap to fill again, so it is simply started over
// when full rather than kept in recency order.

/**
 * What the strings an import meets stand for (artist lists' rowids, users' rows), up to a budget
 * of characters, then started over: a miss only costs a parse or a lookup by index.
 */
export class ValueCache<V> {
  readonly #m = new Map<string, V>()
  readonly #budget: number
  #chars = 0

  constructor (budget: number) {
    this.#budget = budget
  }

  get (key: string, make: () => V): V {
    let v = this.#m.get(key)
    if (v === undefined) {
      if (this.#chars > this.#budget) {
        this.#m.clear()
        this.#chars = 0
      }
      v = make()
      this.#m.set(key, v)
      this.#chars += key.length + 32
    }
    return v
  }
}
