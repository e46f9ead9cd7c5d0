/**
 * Uploading one knowledge file's bytes to its own immutable object, hashed (SHA-256) and counted
 * as they pass, so a large file is never held whole.
 * @module
 */
import type { BlobStore } from "../../blob/types.ts";
import { ValidationError } from "../../errors.ts";
import { Sha256, sha256Hex } from "../../util/sha256.ts";
import { type ByteSource, isByteStream, toBytes } from "../../util/streams.ts";

/** What was stored. */
export interface Uploaded {
  checksum: string;
  sizeBytes: number;
}

/** Limits and hints of one upload. */
export interface UploadOptions {
  /** The knowledge file's path (for messages). */
  path: string;
  contentType: string;
  maxBytes: number;
  /** The length the caller declared (HTTP `Content-Length`): lets R2/S3 stream the put. */
  size?: number;
  /** The SHA-256 of content in memory, when already computed. */
  checksum?: string | null;
}

function tooLarge(path: string, limit: number): ValidationError {
  return new ValidationError(`File '${path}' exceeds the limit of ${limit} bytes`, [
    { path: ["content"], message: `larger than ${limit} bytes` },
  ]);
}

/** The checksum of content already in memory (a stream gives `null`: it is hashed as it uploads). */
export async function checksumIfBytes(content: ByteSource): Promise<string | null> {
  return isByteStream(content) ? null : sha256Hex(toBytes(content));
}

/**
 * Stores `content` at `key` (a fresh key nobody else writes).
 * @example
 * const { checksum, sizeBytes } = await upload(store, blobKey, bytes, { path: "faq.md", contentType: "text/markdown", maxBytes: 1 << 30 });
 */
export async function upload(
  store: BlobStore,
  key: string,
  content: ByteSource,
  options: UploadOptions,
): Promise<Uploaded> {
  const { path, contentType, maxBytes: limit } = options;
  if (options.size !== undefined && options.size > limit) throw tooLarge(path, limit);
  if (!isByteStream(content)) {
    const bytes = toBytes(content);
    if (bytes.length > limit) throw tooLarge(path, limit);
    const checksum = options.checksum ?? (await sha256Hex(bytes));
    await store.put(key, bytes, { contentType, size: bytes.length });
    return { checksum, sizeBytes: bytes.length };
  }
  const sha = new Sha256();
  const counted = content.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sha.update(chunk);
        if (sha.length > limit) controller.error(tooLarge(path, limit));
        else controller.enqueue(chunk);
      },
    }),
  );
  await store.put(key, counted, {
    contentType,
    ...(options.size !== undefined ? { size: options.size } : {}),
  });
  return { checksum: sha.hex(), sizeBytes: sha.length };
}
