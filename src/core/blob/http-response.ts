/**
 * What {@link HttpBlobStore} reads from an HTTP response: an object's size (from `Content-Range`
 * or `Content-Length`), its etag and date, and a body cut to a byte range when the server sent
 * more than the range (it ignored `Range`).
 * @module
 */
import type { BlobMeta } from "./types.ts";

/** The parts of `Content-Range: bytes 2-4/10` (or `bytes *\/10` on a 416); null when absent or bad. */
export function contentRange(
  value: string | null,
): { first: number; last: number; total: number | null } | null {
  const m = value ? /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim()) : null;
  if (!m) return null;
  const total = m[3] === "*" ? null : Number(m[3]);
  return m[1] === undefined
    ? { first: -1, last: -1, total }
    : { first: Number(m[1]), last: Number(m[2]), total };
}

/**
 * The length of the body as sent: `Content-Length`, unless the body was compressed on the way
 * (`Content-Encoding`), when the length is of the compressed bytes and says nothing of the object.
 */
export function plainLength(headers: Headers): number | null {
  const encoding = headers.get("content-encoding");
  if (encoding && encoding.toLowerCase() !== "identity") return null;
  const length = headers.get("content-length");
  return length !== null && /^\d+$/.test(length) ? Number(length) : null;
}

/**
 * The meta of `key` from a response's headers. Without an `ETag` the etag is made of
 * `Last-Modified` and the size (so it misses a rewrite of the same size within the same second);
 * without `Last-Modified`, `uploaded` is the epoch.
 */
export function metaOf(key: string, headers: Headers, size: number): BlobMeta {
  const modified = headers.get("last-modified");
  const date = modified ? new Date(modified) : new Date(0);
  const uploaded = Number.isNaN(date.getTime()) ? new Date(0) : date;
  return {
    key,
    size,
    etag: headers.get("etag") ?? `lm-${size}-${uploaded.getTime()}`,
    uploaded,
    contentType: headers.get("content-type"),
  };
}

/**
 * `length` bytes (to the end when undefined) of `body` from `offset` on: what a ranged read
 * returns when the server ignored `Range` and sent the whole object. Bytes before the range are
 * read and dropped; once the range is complete the rest of the response is cancelled.
 * @example
 * const part = sliceStream(response.body, 100, 20); // bytes 100–119 of the whole
 */
export function sliceStream(
  body: ReadableStream<Uint8Array>,
  offset: number,
  length: number | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const end = length === undefined ? Number.POSITIVE_INFINITY : offset + length;
  let at = 0; // bytes of the whole object read so far
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (at >= end) {
          controller.close();
          await reader.cancel().catch(() => {});
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const from = Math.max(0, offset - at);
        const to = Math.min(value.length, end - at);
        at += value.length;
        if (from < to) {
          controller.enqueue(value.subarray(from, to));
          return;
        }
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
