// The slice of autocannon 9's API the proxy bench uses (the package ships no types, and
// @types/autocannon lags behind it).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      duration?: number
      pipelining?: number
      headers?: Record<string, string>
      /** Sent in turn by every connection, each prebuilt once (no setupRequest). */
      requests?: Array<{ method?: string, path?: string, headers?: Record<string, string> }>
      timeout?: number
    }
    interface Histogram {
      average: number
      mean: number
      stddev: number
      min: number
      max: number
      total: number
      p50: number
      p90: number
      p99: number
    }
    interface Result {
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      resets: number
      '2xx': number
      statusCodeStats: Record<string, { count: number }>
      latency: Histogram
      requests: Histogram & { sent: number }
      throughput: Histogram
    }
  }
  function autocannon (opts: autocannon.Options): Promise<autocannon.Result>
  export = autocannon
}
