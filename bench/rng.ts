// A seeded generator for the benchmarks' synthetic data, so every run builds the same library.

/** mulberry32: small, fast, good enough for synthetic data. */
export class Rng {
  private a: number
  constructor (seed: number) { this.a = seed | 0 }
  next (): number {
    this.a = (this.a + 0x6d2b79f5) | 0
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int (n: number): number { return Math.floor(this.next() * n) }
  chance (p: number): boolean { return this.next() < p }
  pick<T> (xs: readonly T[]): T { return xs[this.int(xs.length)]! }
  /** Standard normal (Box–Muller). */
  gauss (): number { return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next()) }
}
