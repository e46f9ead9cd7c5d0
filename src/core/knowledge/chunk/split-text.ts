/**
 * Splitting prose that does not fit in one chunk: at sentence ends, else between words, else (a
 * single token longer than a chunk) at the size limit, with overlap between consecutive pieces.
 * @module
 */

/** A piece of a split block: its text and the 1-based line it starts on. */
export interface Piece {
  text: string;
  line: number;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x3000;
}

function isSentenceEnd(c: number): boolean {
  return c === 0x2e || c === 0x21 || c === 0x3f; // . ! ?
}

function isCjkSentenceEnd(c: number): boolean {
  return c === 0x3002 || c === 0xff01 || c === 0xff1f; // 。 ！ ？ (no space follows them)
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where to end a piece that starts at `start` and may reach `limit` (exclusive): after the last
 * sentence end in the window's second half, else at the last space, else at `limit` itself (never
 * between the two halves of a surrogate pair).
 */
function breakAt(text: string, start: number, limit: number, max: number): number {
  const half = start + (max >> 1);
  for (let k = limit; k > half; k--) {
    const p = text.charCodeAt(k - 1);
    if ((isSentenceEnd(p) && isSpace(text.charCodeAt(k))) || isCjkSentenceEnd(p)) return k;
  }
  for (let k = limit; k > start; k--) if (isSpace(text.charCodeAt(k))) return k;
  const c = text.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff && limit - 1 > start ? limit - 1 : limit;
}

/**
 * Splits `text` (which starts on line `line`) into pieces of at most `max` UTF-16 code units.
 * Consecutive pieces overlap by up to `overlap` characters, moved forward to a word start so no
 * piece begins mid-word (a hard-cut token gets no overlap). Pieces are trimmed, never empty.
 * @example
 * splitProse("First sentence here. Second one is here.", 1, 30, 0).map((p) => p.text);
 * // ["First sentence here.", "Second one is here."]
 */
export function splitProse(text: string, line: number, max: number, overlap: number): Piece[] {
  const pieces: Piece[] = [];
  const n = text.length;
  let start = skipSpace(text, 0);
  let counted = 0; // newlines are counted up to here
  let at = line;
  const lineOf = (pos: number): number => {
    for (let k = text.indexOf("\n", counted); k !== -1 && k < pos; k = text.indexOf("\n", k + 1))
      at++;
    counted = Math.max(counted, pos);
    return at;
  };
  while (start < n) {
    if (n - start <= max) {
      pieces.push({ text: text.slice(start).trimEnd(), line: lineOf(start) });
      break;
    }
    const cut = breakAt(text, start, start + max, max);
    const piece = text.slice(start, cut).trimEnd();
    if (piece !== "") pieces.push({ text: piece, line: lineOf(start) });
    let next = cut;
    if (overlap > 0 && isSpace(text.charCodeAt(cut))) {
      let o = Math.max(cut - overlap, start + 1);
      if (!isSpace(text.charCodeAt(o - 1))) {
        while (o < cut && !isSpace(text.charCodeAt(o))) o++;
      }
      next = o;
    }
    start = skipSpace(text, next);
  }
  return pieces;
}
