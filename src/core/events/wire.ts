/**
 * {@link publishBody}: the one wire form of a publish, `{ ...event.toDict(), topic }` — the body
 * of `POST /events` that the remote buses send, and one line of a `FileEventBus` log — with the
 * `maxEventBytes` check every bus with a limit makes before anything leaves.
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { Event } from "./event.ts";

const encoder = new TextEncoder();

/**
 * The UTF-8 JSON of a publish on `topic` (the routing topic replaces `event.topic`), refused with
 * `ValidationError` when it is over `maxEventBytes`; `suffix` (e.g. `"\n"`) is appended after the
 * check.
 * @example
 * const body = publishBody("registry:bots", event, 65_536); // Uint8Array, or ValidationError
 */
export function publishBody(
  topic: string,
  event: Event,
  maxEventBytes: number,
  suffix = "",
): Uint8Array<ArrayBuffer> {
  const json = publishText(topic, event, maxEventBytes);
  return encoder.encode(suffix === "" ? json : json + suffix);
}

/**
 * {@link publishBody} as a string, for transports that take text (a Redis stream entry, a
 * PostgreSQL row and NOTIFY payload).
 * @example
 * const json = publishText("registry:bots", event, 7900); // or ValidationError
 */
export function publishText(topic: string, event: Event, maxEventBytes: number): string {
  const json = JSON.stringify({ ...event.toDict(), topic });
  const bytes = encoder.encode(json).byteLength;
  if (bytes > maxEventBytes)
    throw new ValidationError(
      `Event '${event.eventId}' on '${topic}' is ${bytes} bytes, over maxEventBytes ${maxEventBytes}: events carry ids, not documents`,
    );
  return json;
}

/**
 * Checks a bus's `maxEventBytes` option: an integer of at least 256 bytes.
 * @example
 * const max = checkMaxEventBytes(options.maxEventBytes ?? 65_536);
 */
export function checkMaxEventBytes(max: number): number {
  if (!Number.isInteger(max) || max < 256)
    throw new ValidationError(`Invalid maxEventBytes ${max}: expected an integer ≥ 256`);
  return max;
}
