/**
 * Web Streams helpers: bytes in any form to a stream, re-chunking, async iteration everywhere,
 * and reading a stream whole with a size cap.
 * @module
 */

import { ValidationError } from "../errors.ts";
import { nextTurn } from "./turns.ts";

/** Bytes as the library accepts them: raw bytes, text (UTF-8), or a stream. */
export type ByteSource = Uint8Array | string | ReadableStream<Uint8Array>;

/** A `ReadableStream` that is also async-iterable (`for await (const chunk of stream)`). */
export type ByteStream = ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>;

/** Makes a stream async-iterable where the runtime does not (older browsers). */
export function iterable(stream: ReadableStream<Uint8Array>): ByteStream {
  const s = stream as ByteStream;
  if (typeof s[Symbol.asyncIterator] !== "function") {
    Object.defineProperty(s, Symbol.asyncIterator, {
      value: async function* () {
        const reader = stream.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          reader.releaseLock();
        }
      },
    });
  }
  return s;
}

/** True for a `ReadableStream` (duck-typed: streams from another realm or polyfill count too). */
export function isByteStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === "function";
}

/** Text to UTF-8 bytes; bytes unchanged. */
export function toBytes(source: Uint8Array | string): Uint8Array {
  return typeof source === "string" ? new TextEncoder().encode(source) : source;
}

/** A stream over bytes, in pieces of at most `chunkSize` (views, no copies). */
export function bytesToStream(bytes: Uint8Array, chunkSize = 65_536): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** Re-chunks a stream into pieces of exactly `chunkSize` bytes (the last may be shorter). */
export function rechunk(
  stream: ReadableStream<Uint8Array>,
  chunkSize: number,
): ReadableStream<Uint8Array> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new ValidationError(`Invalid chunkSize ${chunkSize}: must be a positive integer`);
  }
  let pending = new Uint8Array(chunkSize);
  let filled = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(chunkSize - filled, chunk.length - offset);
          pending.set(chunk.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === chunkSize) {
            controller.enqueue(pending);
            pending = new Uint8Array(chunkSize);
            filled = 0;
          }
        }
      },
      flush(controller) {
        if (filled > 0) controller.enqueue(pending.subarray(0, filled));
      },
    }),
  );
}

/** Reads a stream whole; more than `maxBytes` → `ValidationError` (and the stream is cancelled). */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new ValidationError(`Content exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatInTurns(chunks, total);
}

/**
 * Bytes copied per turn of the event loop when joining a large body: writing to fresh memory is
 * page faults, ~3 ms per MiB on some virtual machines, so 60 MB copied at once is a stall.
 */
const COPY_PER_TURN = 1024 * 1024;

/**
 * {@link concatBytes} a turn at a time: a turn of the event loop is given back after every 1 MiB
 * copied, so joining tens of megabytes is no pause.
 * @example
 * const bytes = await concatInTurns(parts, total);
 */
export async function concatInTurns(chunks: Uint8Array[], total: number): Promise<Uint8Array> {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  let sinceTurn = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
    sinceTurn += c.length;
    if (sinceTurn >= COPY_PER_TURN) {
      sinceTurn = 0;
      await nextTurn();
    }
  }
  return out;
}

/**
 * The chunks as one array (`total`: their summed length); a single chunk is returned as is.
 * @example
 * concatBytes([a, b], a.length + b.length);
 */
export function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
