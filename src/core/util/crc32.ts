/**
 * CRC-32 (IEEE 802.3, the zlib and gzip one): a cheap checksum of a block, enough to find a
 * damaged one (not a defence against someone who means to forge it: whole objects have SHA-256).
 * @module
 */

let table: Uint32Array | null = null;

function tableOf(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The CRC-32 of `bytes`, unsigned.
 * @example
 * crc32(new TextEncoder().encode("123456789")) // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  const t = tableOf();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++)
    c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
