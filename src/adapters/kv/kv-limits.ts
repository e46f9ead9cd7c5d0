/**
 * Workers KV's limits, checked before each call with a `ValidationError`, and the per-key
 * write pacing KV asks for (at most one write per second to one key).
 * @module
 */
import { ValidationError } from "../../core/errors.ts";

/** KV's longest key, in UTF-8 bytes. */
export const KV_MAX_KEY_BYTES = 512;
/** KV's largest value: 25 MiB. */
export const KV_MAX_VALUE_BYTES: number = 25 * 1024 * 1024;
/** KV reads at most this many keys in one bulk `get`. */
export const KV_MAX_BULK_GET = 100;
/** KV accepts about one write per second to one key. */
export const KV_MIN_WRITE_INTERVAL_MS = 1000;

const utf8 = new TextEncoder();

/** Throws `ValidationError` for a key KV would refuse (empty, or over 512 UTF-8 bytes). */
export function checkKvKey(key: string): string {
  const bytes = utf8.encode(key).length;
  if (bytes === 0 || bytes > KV_MAX_KEY_BYTES)
    throw new ValidationError(
      `Workers KV key of ${bytes} bytes is outside the 1–${KV_MAX_KEY_BYTES}-byte limit: ${key.slice(0, 64)}…`,
      [{ path: ["key"], message: `at most ${KV_MAX_KEY_BYTES} UTF-8 bytes` }],
    );
  return key;
}

/** Throws `ValidationError` for a value over KV's 25 MiB; returns it. */
export function checkKvValue(key: string, value: string): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: measure only when it could matter.
  if (value.length * 3 > KV_MAX_VALUE_BYTES) {
    const bytes = utf8.encode(value).length;
    if (bytes > KV_MAX_VALUE_BYTES)
      throw new ValidationError(
        `Workers KV value of ${bytes} bytes for '${key}' is over the ${KV_MAX_VALUE_BYTES}-byte (25 MiB) limit`,
        [{ path: ["value"], message: `at most ${KV_MAX_VALUE_BYTES} bytes` }],
      );
  }
  return value;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Paces this isolate's writes per key: a write waits until `intervalMs` has passed since the
 * previous one to the same key. `recent` tells whether a key was written within the interval
 * (a touch then skips its write instead of waiting).
 */
export class KeyPacer {
  readonly #intervalMs: number;
  readonly #last = new Map<string, number>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** True when `key` was written less than the interval ago. */
  recent(key: string): boolean {
    const last = this.#last.get(key);
    return last !== undefined && Date.now() - last < this.#intervalMs;
  }

  /** Waits for `key`'s turn (its slot is taken at once, so racing writers queue), then returns. */
  async turn(key: string): Promise<void> {
    const now = Date.now();
    const last = this.#last.get(key);
    const at = last === undefined ? now : Math.max(now, last + this.#intervalMs);
    this.#last.set(key, at);
    if (at > now) await sleep(at - now);
    // Forget keys whose interval is over, so the map stays as small as the recent writes.
    if (this.#last.size > 1024)
      for (const [k, t] of this.#last) if (Date.now() - t >= this.#intervalMs) this.#last.delete(k);
  }
}
