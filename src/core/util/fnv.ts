/**
 * FNV-1a, 32 bits, over a string's UTF-16 code units: a fast, stable, non-cryptographic hash.
 * @module
 */

/** The FNV-1a offset basis (as a signed 32-bit integer, which `Math.imul` works in). */
export const FNV_OFFSET: number = 0x811c9dc5 | 0;
/** The FNV-1a 32-bit prime. */
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a of `text[start, end)` (the whole text by default), as a signed 32-bit integer.
 * @example
 * fnv1a("solar") === fnv1a("the solar", 4, 9) // true
 */
export function fnv1a(text: string, start = 0, end: number = text.length): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}
