/**
 * Compact numeric encoding for the stored index: unsigned LEB128 varints packed into bytes, and
 * base64 so the bytes fit in a JSON string. Web standards only (`btoa`/`atob`).
 * @module
 */

/**
 * An append-only byte buffer of varints.
 * @example
 * const w = new VarintWriter(); w.write(300); w.toBase64() // "rAI="
 */
export class VarintWriter {
  #bytes: Uint8Array = new Uint8Array(1024);
  #length = 0;

  /** Appends a non-negative integer below 2^53. */
  write(value: number): void {
    if (this.#length + 8 > this.#bytes.length) {
      const next = new Uint8Array(this.#bytes.length * 2);
      next.set(this.#bytes);
      this.#bytes = next;
    }
    let v = value;
    while (v >= 0x80) {
      this.#bytes[this.#length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#bytes[this.#length++] = v;
  }

  /** The bytes written so far (a view: copy it before writing more). */
  toBytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** The bytes written so far, as base64. */
  toBase64(): string {
    return bytesToBase64(this.toBytes());
  }
}

/**
 * Reads the varints written by {@link VarintWriter}.
 * @example
 * new VarintReader(base64ToBytes("rAI=")).read() // 300
 */
export class VarintReader {
  #pos = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.#pos >= this.bytes.length;
  }

  /** How many bytes are left. */
  get remaining(): number {
    return Math.max(0, this.bytes.length - this.#pos);
  }

  /** The next integer; throws `RangeError` past the end. */
  read(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.bytes[this.#pos++];
      if (byte === undefined) throw new RangeError("varint stream ends early");
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
  }
}

/**
 * Base64 of bytes (standard alphabet, padded).
 * @example
 * bytesToBase64(new Uint8Array([1, 2, 3])) // "AQID"
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  // String.fromCharCode takes its arguments on the stack: feed it bounded slices.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Bytes of a base64 string; throws `DOMException` on malformed input.
 * @example
 * base64ToBytes("AQID") // Uint8Array [1, 2, 3]
 */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
