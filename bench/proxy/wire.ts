// The lines bench/proxy/server.ts prints on stdout for bench/proxy.ts.
export const READY_PREFIX = '@@bench:ready '
export const PROFILED_PREFIX = '@@bench:profiled '
export const TIMINGS_PREFIX = '@@bench:timings '
