/**
 * Strict UTF-8 decoding of knowledge files, with the offending byte named on failure.
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** The default cap on a gzipped knowledge file's decompressed size: 64 MiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES: number = 64 * 1024 * 1024;

/**
 * The byte offset of the first invalid UTF-8 sequence in `bytes`, or `-1` when all of it is valid.
 * Only runs on the error path (TextDecoder does not say where it failed). Rejects what the WHATWG
 * decoder rejects: overlongs, surrogates (ED A0–BF), code points above U+10FFFF, truncations.
 * @example
 * invalidUtf8Offset(new Uint8Array([0x61, 0xff])); // 1
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Line endings to `\n`: CRLF and lone CR (old Mac files) both become LF, so the line count is kept.
 * @example
 * normalizeNewlines("a\r\nb\rc"); // "a\nb\nc"
 */
export function normalizeNewlines(text: string): string {
  return text.indexOf("\r") === -1 ? text : text.replace(/\r\n?/g, "\n");
}

/**
 * Decodes UTF-8 strictly: a byte-order mark is dropped, CRLF/CR become LF, and invalid UTF-8
 * throws {@link ValidationError} naming `path` and the byte offset (of the decompressed bytes, for
 * a gzipped file).
 * @example
 * decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69, 0x0d, 0x0a]), "a.md"); // "hi\n"
 */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  let text: string;
  try {
    // `fatal` throws on invalid bytes; the default `ignoreBOM: false` drops a leading BOM.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    const offset = invalidUtf8Offset(bytes);
    const message = `invalid UTF-8 at byte offset ${offset}`;
    throw new ValidationError(`Cannot read ${path}: ${message}`, [{ path: [path], message }], {
      cause,
    });
  }
  return normalizeNewlines(text);
}
