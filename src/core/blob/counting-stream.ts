/**
 * {@link countingStream}: passes a body through while counting its bytes against a declared
 * length, so a streamed upload that carries another length (or breaks) is told apart from a
 * storage failure.
 * @module
 */

/** The counted stream, and what went wrong once it has ended. */
export interface CountedStream {
  stream: ReadableStream<Uint8Array>;
  /** The byte count seen when it differs from the declared size (past it, or short at the end). */
  mismatch(): number | undefined;
  /** The error the source stream failed with, if it did. */
  failure(): unknown;
}

/**
 * Counts `source` against `size`: more bytes than declared stop the stream at once, fewer are
 * noticed at its end; either way the stream errors, so the consumer (R2's put) writes nothing.
 * @example
 * const counted = countingStream(request.body, Number(request.headers.get("content-length")));
 */
export function countingStream(source: ReadableStream<Uint8Array>, size: number): CountedStream {
  let seen = 0;
  let mismatch: number | undefined;
  let failure: unknown;
  const reader = source.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        failure = error;
        controller.error(error);
        return;
      }
      if (next.done) {
        if (seen !== size) {
          mismatch = seen;
          controller.error(new Error(`stream ended after ${seen} of ${size} bytes`));
        } else controller.close();
        return;
      }
      seen += next.value.byteLength;
      if (seen > size) {
        mismatch = seen;
        controller.error(new Error(`stream carried more than ${size} bytes`));
        void reader.cancel().catch(() => {});
        return;
      }
      controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, mismatch: () => mismatch, failure: () => failure };
}
