/**
 * {@link multipartPut}: a streamed upload in parts (S3's multipart upload), so the memory it
 * takes is one part, whatever the size of the file and however the runtime's `fetch` sends a
 * stream (Node 20's reads a request body ahead of the socket without bound). The object appears
 * only when the upload completes: a failure aborts it, and nothing is visible.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import type { S3Client } from "./s3-client.ts";
import { field, parseError, xmlEscape } from "./s3-xml.ts";

/** S3's bounds on parts: at least 5 MiB (but the last), at most 10,000 of them. */
export const S3_MIN_PART_BYTES: number = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** One multipart upload's request. */
export interface MultipartRequest {
  key: string;
  /** The body, whose length is `size` (a counted stream: another length errors it). */
  body: ReadableStream<Uint8Array>;
  size: number;
  partBytes: number;
  /** Sent when the upload starts (`content-type`). */
  headers: Record<string, string>;
  /** Sent with the completion (`if-match` / `if-none-match`): checked when the object appears. */
  conditions: Record<string, string>;
}

/**
 * Uploads `body` in parts of `partBytes` (more when 10,000 would not hold it), one part in
 * memory at a time, and completes the upload. The completion's answer: 200 with the object's
 * ETag, or 404/409/412 when a condition failed. Any failure aborts the upload.
 */
export async function multipartPut(
  client: S3Client,
  request: MultipartRequest,
): Promise<{ status: number; etag: string | null; date: string | null }> {
  const { key, size } = request;
  const partBytes = Math.max(request.partBytes, Math.ceil(size / MAX_PARTS));
  const started = await client.send(`put '${key}' (start of a multipart upload)`, {
    method: "POST",
    key,
    query: { uploads: "" },
    headers: request.headers,
  });
  const uploadId = field(await started.text(), "UploadId");
  if (!uploadId)
    throw new AdapterError("s3", `put '${key}' failed: the multipart upload got no UploadId`);
  const reader = request.body.getReader();
  try {
    const parts: string[] = [];
    const carry: { rest?: Uint8Array | undefined } = {};
    // One part goes up while the next is read: two buffers, taken in turn (a buffer is read into
    // again only once its upload has finished), so the parts make no garbage either.
    const buffers: Uint8Array[] = [];
    let inflight: Promise<void> | undefined;
    for (let offset = 0, n = 1; offset < size; offset += partBytes, n++) {
      const length = Math.min(partBytes, size - offset);
      const buffer = buffers[n % 2] ?? new Uint8Array(Math.min(partBytes, size));
      buffers[n % 2] = buffer;
      const part = await readPart(reader, buffer.subarray(0, length), carry);
      await inflight;
      inflight = uploadPart(client, key, uploadId, n, part).then((etag) => {
        parts[n - 1] = `<Part><PartNumber>${n}</PartNumber><ETag>${xmlEscape(etag)}</ETag></Part>`;
      });
      // Awaited above or below; a failure meanwhile must not go unhandled.
      inflight.catch(() => {});
    }
    await inflight;
    // The stream must end here: a longer one errors (it is counted against the size).
    if (carry.rest !== undefined || !(await reader.read()).done)
      throw new Error(`the stream carried more than ${size} bytes`);
    const conditional = Object.keys(request.conditions).length > 0;
    const done = await client.send(`put '${key}' (completion of a multipart upload)`, {
      method: "POST",
      key,
      query: { uploadId },
      headers: { "content-type": "application/xml", ...request.conditions },
      body: new TextEncoder().encode(
        `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`,
      ),
      accept: conditional ? [404, 409, 412] : [],
      once: conditional,
    });
    const text = await done.text();
    if (done.status !== 200) {
      await abort(client, key, uploadId);
      return { status: done.status, etag: null, date: null };
    }
    // S3 may answer 200 and report the failure in the body.
    const { code, message } = parseError(text);
    if (code) throw new AdapterError("s3", `put '${key}' failed: ${code}: ${message}`);
    return { status: 200, etag: field(text, "ETag") ?? null, date: done.headers.get("date") };
  } catch (error) {
    await reader.cancel().catch(() => {});
    await abort(client, key, uploadId);
    throw error;
  }
}

/**
 * Sends one part; its ETag. Sent unsigned (`UNSIGNED-PAYLOAD`, as a streamed PUT is): hashing a
 * part would take a copy of it and a pass over it; TLS and S3's own checks guard the bytes.
 */
async function uploadPart(
  client: S3Client,
  key: string,
  uploadId: string,
  n: number,
  part: Uint8Array,
): Promise<string> {
  const res = await client.send(`put '${key}' (part ${n})`, {
    method: "PUT",
    key,
    query: { partNumber: String(n), uploadId },
    body: part,
    unsignedPayload: true,
  });
  await res.body?.cancel();
  return res.headers.get("etag") ?? "";
}

/** Fills `part` with the next bytes of the body (starting with what the last chunk left over). */
async function readPart(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  part: Uint8Array,
  carry: { rest?: Uint8Array | undefined },
): Promise<Uint8Array> {
  const length = part.byteLength;
  let filled = 0;
  for (;;) {
    let chunk = carry.rest;
    carry.rest = undefined;
    if (chunk === undefined) {
      if (filled === length) return part;
      const next = await reader.read();
      if (next.done) throw new Error(`the stream ended before ${length} bytes of a part`);
      chunk = next.value;
    }
    const take = Math.min(chunk.byteLength, length - filled);
    part.set(chunk.subarray(0, take), filled);
    filled += take;
    if (take < chunk.byteLength) carry.rest = chunk.subarray(take);
    if (filled === length) return part;
  }
}

/** Aborts an upload, so its parts are not kept (best effort: the object never appeared). */
async function abort(client: S3Client, key: string, uploadId: string): Promise<void> {
  await client
    .send(`abort the multipart upload of '${key}'`, {
      method: "DELETE",
      key,
      query: { uploadId },
      accept: [400, 404, 405, 501],
    })
    .then((res) => res.body?.cancel())
    .catch(() => {});
}
