/**
 * Reading a Redis stream for {@link RedisEventBus}: where a reader stands after (re)connecting,
 * and the blocking read loop.
 * @module
 */
import type { RedisClientLike } from "./types.ts";

/** Where the stream is, seen from a reader at `position`. */
export interface StreamPosition {
  /** The server's `run_id`: it changes when Redis restarts. */
  runId: string;
  /** The stream's last id (`"0-0"` when it is empty or missing). */
  last: string;
  /** Entries after `position` were trimmed, or the stream is gone while the reader had read from it. */
  trimmedPast: boolean;
}

/** Compares two stream ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split("-").map(BigInt);
  const [bm = 0n, bs = 0n] = b.split("-").map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

/** A flat RESP2 map (`[k1, v1, k2, v2, …]`) as an object. */
function pairs(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}

/**
 * The server's run and the stream's state for a reader at `position`. Entries after it are gone
 * when an entry after it was deleted (`max-deleted-entry-id`), or when the stream now starts
 * after it and it had read there (its own last entry was trimmed: what followed may have been
 * too — a conservative answer), or, for a reader that found the stream empty, when more were
 * ever added than it holds. Without the Redis 7 fields the answer leans to "gone".
 */
export async function streamPosition(
  client: RedisClientLike,
  key: string,
  position: string,
): Promise<StreamPosition> {
  const info = String(await client.sendCommand(["INFO", "server"]));
  const runId = /run_id:(\w+)/.exec(info)?.[1] ?? "";
  let stream: Record<string, unknown>;
  try {
    stream = pairs(await client.sendCommand(["XINFO", "STREAM", key]));
  } catch (error) {
    if (!/no such key/i.test(String((error as Error)?.message))) throw error;
    return { runId, last: "0-0", trimmedPast: position !== "0-0" };
  }
  const last = String(stream["last-generated-id"] ?? "0-0");
  const deleted = String(stream["max-deleted-entry-id"] ?? "0-0");
  const length = Number(stream.length ?? 0);
  const added = Number(stream["entries-added"] ?? Number.POSITIVE_INFINITY);
  const first = Array.isArray(stream["first-entry"]) ? String(stream["first-entry"][0]) : null;
  let trimmedPast = compareStreamIds(deleted, position) > 0;
  if (first === null) trimmedPast ||= compareStreamIds(last, position) > 0;
  else if (position === "0-0") trimmedPast ||= added > length;
  else trimmedPast ||= compareStreamIds(first, position) > 0;
  return { runId, last, trimmedPast };
}

/**
 * Reads `key` after `from` until `signal` aborts or the connection fails (then it throws), handing
 * each entry's `e` field to `entry` in stream order. `XREAD BLOCK` returns as soon as an entry is
 * added; the block is bounded so a silently dead connection is noticed.
 */
export async function readStream(
  client: RedisClientLike,
  key: string,
  from: string,
  signal: AbortSignal,
  entry: (id: string, body: string) => void,
): Promise<void> {
  let position = from;
  while (!signal.aborted) {
    const reply = await client.sendCommand<unknown>(
      ["XREAD", "COUNT", "512", "BLOCK", "15000", "STREAMS", key, position],
      { timeout: 20_000 },
    );
    if (!Array.isArray(reply)) continue;
    for (const [, entries] of reply as [string, [string, string[]][]][]) {
      for (const [id, fields] of entries) {
        position = id;
        const at = fields.indexOf("e");
        if (at >= 0 && at % 2 === 0) entry(id, String(fields[at + 1]));
      }
    }
  }
}
