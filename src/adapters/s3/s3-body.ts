/**
 * The bodies of S3 transfers as streams that fail loudly: a download that ends short of its
 * `Content-Length`, or breaks, errors with an `AdapterError` naming the key (never a silently
 * short file), and an upload is sent with its length known up front (`FixedLengthStream` in
 * workerd, a `Content-Length` header elsewhere) so it streams instead of being held whole.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";

/** workerd's `FixedLengthStream`: an identity stream that knows its length in advance. */
type FixedLengthStreamLike = new (
  length: number,
) => { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };

/**
 * An upload body of `size` bytes and the headers that declare its length: a `FixedLengthStream`
 * where the runtime has one (workerd sends a plain stream chunked, which S3 refuses), else the
 * stream with `Content-Length`.
 */
export function sizedBody(
  stream: ReadableStream<Uint8Array>,
  size: number,
): { body: ReadableStream<Uint8Array>; headers: Record<string, string> } {
  const Fixed = (globalThis as { FixedLengthStream?: FixedLengthStreamLike }).FixedLengthStream;
  if (Fixed) {
    const fixed = new Fixed(size);
    stream.pipeTo(fixed.writable).catch(() => {});
    return { body: fixed.readable, headers: {} };
  }
  return { body: stream, headers: { "content-length": String(size) } };
}

/** What to hand on of a download: skip bytes first (a server that ignored `Range`), then take some. */
export interface BodySlice {
  skip: number;
  take: number;
}

/**
 * Passes a download on while counting it against the `expected` bytes the server declared; a
 * body that breaks or ends early errors with an `AdapterError` naming `key`. With `slice`, only
 * those bytes are handed on.
 */
export function verifiedBody(
  key: string,
  source: ReadableStream<Uint8Array>,
  expected: number,
  slice?: BodySlice,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let seen = 0;
  let skip = slice?.skip ?? 0;
  let take = slice?.take ?? Number.POSITIVE_INFINITY;
  const cut = (cause?: unknown): AdapterError =>
    new AdapterError(
      "s3",
      `get '${key}' failed: the body broke off after ${seen} of ${expected} bytes${
        cause instanceof Error ? ` (${cause.message})` : ""
      }`,
      cause === undefined ? {} : { cause },
    );
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (take <= 0) {
          controller.close();
          void reader.cancel().catch(() => {});
          return;
        }
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          controller.error(cut(error));
          return;
        }
        if (next.done) {
          if (seen === expected && (slice === undefined || take === 0)) controller.close();
          else controller.error(cut());
          return;
        }
        let chunk = next.value;
        seen += chunk.byteLength;
        if (seen > expected) {
          controller.error(cut());
          void reader.cancel().catch(() => {});
          return;
        }
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.byteLength);
          chunk = chunk.subarray(dropped);
          skip -= dropped;
        }
        if (chunk.byteLength > take) chunk = chunk.subarray(0, take);
        take -= chunk.byteLength;
        if (chunk.byteLength > 0) {
          controller.enqueue(chunk);
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
