/**
 * Gunzip with a hard cap on the output, so a gzip bomb fails fast instead of filling memory.
 * @module
 */
import { Gunzip, gunzipSync } from "fflate";
import { ValidationError } from "../../errors.ts";
import { concatBytes } from "../../util/streams.ts";
import { crc32 } from "./crc32.ts";
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from "./decode.ts";

export { DEFAULT_MAX_DECOMPRESSED_BYTES };

// Deflate expands at most ~1032:1, so feeding ⌊room / 1032⌋ input bytes at a time keeps any one
// push from producing much more than the room left under the cap (plus one small step).
const MAX_RATIO = 1032;
const MIN_STEP = 256;
const MAX_STEP = 64 * 1024;

function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

class CapExceeded extends Error {}

/**
 * Decompresses gzip `bytes` (single or multi-member) into at most `maxBytes` bytes.
 * Throws {@link ValidationError} naming `path` when the output passes the cap (as soon as it
 * does: the output is produced step by step), when the data is not gzip, when it is truncated
 * anywhere (header, deflate stream or trailer), or when a member's CRC-32 or length mismatches.
 * @example
 * const text = new TextDecoder().decode(gunzipCapped(gzipped, "faq.md.gz", 1 << 20));
 */
export function gunzipCapped(
  bytes: Uint8Array,
  path: string,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Uint8Array {
  const fail = (message: string, cause?: unknown): never => {
    throw new ValidationError(
      `Cannot gunzip ${path}: ${message}`,
      [{ path: [path], message }],
      cause === undefined ? {} : { cause },
    );
  };
  // 10-byte header + 2-byte empty deflate block + 8-byte trailer is the smallest gzip member.
  if (bytes.length < 20) fail(`truncated gzip (${bytes.length} bytes)`);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8) fail("not gzip data (bad magic)");

  // Fast path: when even the worst-case expansion of the input fits under the cap, one-shot
  // inflate is safe (and fflate's streaming mode costs a 128 KiB buffer per call, 4× slower on
  // typical files). Any surprise (a second member, a bad trailer) goes to the streaming path.
  const claimed = readU32(bytes, bytes.length - 4);
  if (claimed > maxBytes) fail(`decompressed size exceeds the limit of ${maxBytes} bytes`);
  if (bytes.length * MAX_RATIO <= maxBytes) {
    try {
      const out = gunzipSync(bytes);
      if (out.length === claimed && crc32(0, out) === readU32(bytes, bytes.length - 8)) return out;
    } catch {
      // decoded again below, for the precise error
    }
  }
  return gunzipStreaming(bytes, maxBytes, fail);
}

function gunzipStreaming(
  bytes: Uint8Array,
  maxBytes: number,
  fail: (message: string, cause?: unknown) => never,
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let memberCrc = 0;
  let memberSize = 0;
  // Checks one member's trailer (CRC-32 and size mod 2^32), which fflate skips over.
  const checkTrailer = (end: number): void => {
    if (readU32(bytes, end - 8) !== memberCrc || readU32(bytes, end - 4) !== memberSize >>> 0) {
      fail("truncated or corrupt gzip (CRC-32 or length mismatch)");
    }
    memberCrc = 0;
    memberSize = 0;
  };
  const stream = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new CapExceeded();
    memberCrc = crc32(memberCrc, chunk);
    memberSize += chunk.length;
    parts.push(chunk);
  });
  stream.onmember = (offset) => checkTrailer(offset);
  try {
    let at = 0;
    while (at < bytes.length) {
      const room = Math.max(0, maxBytes - total);
      const step = Math.min(MAX_STEP, Math.max(MIN_STEP, Math.floor(room / MAX_RATIO)));
      const end = Math.min(bytes.length, at + step);
      stream.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch (e) {
    if (e instanceof CapExceeded) fail(`decompressed size exceeds the limit of ${maxBytes} bytes`);
    if (e instanceof ValidationError) throw e;
    fail(`corrupt or truncated gzip (${(e as Error).message})`, e);
  }
  checkTrailer(bytes.length);
  return concatBytes(parts, total);
}
