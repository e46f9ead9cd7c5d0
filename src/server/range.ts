/**
 * Single byte ranges (`Range: bytes=…`, RFC 9110 §14): parsing and slicing a stream.
 * @module
 */

/** What a `Range` header asks of a representation of `size` bytes. */
export type RangeRequest =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * Parses a `Range` header against a size. Absent, malformed, other units and multi-range
 * requests give `full` (RFC 9110 lets a server ignore them; multipart answers are not made);
 * a well-formed range outside the content gives `unsatisfiable` (416).
 * @example
 * parseRange("bytes=0-9", 100); // { kind: "partial", start: 0, end: 9 }
 * parseRange("bytes=-10", 100); // { kind: "partial", start: 90, end: 99 }
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
  const first = m[1] as string;
  const last = m[2] as string;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", start, end };
}

/**
 * The bytes `start … start + length - 1` of a stream. Bytes before `start` are read and
 * dropped; once `length` bytes have passed, the source is cancelled.
 * @example
 * const body = sliceStream(await kb.streamFile(d, p), 10, 5);
 */
export function sliceStream(
  source: ReadableStream<Uint8Array>,
  start: number,
  length: number,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let position = 0;
  let remaining = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (remaining <= 0) {
          controller.close();
          await reader.cancel().catch(() => {});
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const chunkStart = position;
        position += value.length;
        if (position <= start) continue;
        const from = Math.max(0, start - chunkStart);
        const piece = value.subarray(from, from + remaining);
        remaining -= piece.length;
        controller.enqueue(piece);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
