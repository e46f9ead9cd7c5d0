/**
 * A coarse clock for hot paths: `Date.now()` read at most once per timer tick and reused until
 * the event loop turns (the trick lru-cache uses). TTLs of seconds lose nothing; a cache hit
 * saves a clock read. In workerd `Date.now()` only moves between I/O anyway.
 * @module
 */
let cached = 0;

function clear(): void {
  cached = 0;
}

/** Milliseconds since the epoch, refreshed at most once per millisecond-timer tick. */
export function coarseNow(): number {
  if (cached === 0) {
    cached = Date.now();
    const timer = setTimeout(clear, 1) as unknown as { unref?: () => void };
    // Node: do not keep the process alive for this timer.
    timer.unref?.();
  }
  return cached;
}
