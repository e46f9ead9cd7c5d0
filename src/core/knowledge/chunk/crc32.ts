/**
 * CRC-32 (the gzip/zlib one, polynomial 0xEDB88320), eight bytes a step ("slicing-by-8").
 * @module
 */

let TABLE: Uint32Array | undefined;

function table(): Uint32Array {
  if (TABLE) return TABLE;
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 8; s++) {
      const prev = t[(s - 1) * 256 + n] as number;
      t[s * 256 + n] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  TABLE = t;
  return t;
}

/**
 * Continues a CRC-32 over `bytes`; start with `0`.
 * @example
 * crc32(0, new TextEncoder().encode("123456789")); // 0xcbf43926
 */
export function crc32(crc: number, bytes: Uint8Array): number {
  const t = table();
  const b = bytes;
  let c = ~crc;
  let i = 0;
  for (const end = b.length - 8; i <= end; i += 8) {
    const lo =
      c ^
      ((b[i] as number) |
        ((b[i + 1] as number) << 8) |
        ((b[i + 2] as number) << 16) |
        ((b[i + 3] as number) << 24));
    c =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (b[i + 4] as number)] as number) ^
      (t[512 + (b[i + 5] as number)] as number) ^
      (t[256 + (b[i + 6] as number)] as number) ^
      (t[b[i + 7] as number] as number);
  }
  for (; i < b.length; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
