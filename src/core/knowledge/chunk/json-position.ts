/**
 * Where a JSON text first goes wrong. `JSON.parse` error messages differ between engines (V8 gives
 * an offset, JavaScriptCore none), so ingestion finds the position itself, on the error path only.
 * @module
 */

/** A position in a text: 0-based offset, 1-based line and column (UTF-16 units). */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * The line and column of `offset` in `text`.
 * @example
 * positionOf("a\nbc", 3); // { offset: 3, line: 2, column: 2 }
 */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The offset of the first JSON syntax error in `text` (RFC 8259), or `-1` when it is valid JSON.
 * Iterative (an explicit stack), so deeply nested input cannot overflow the call stack.
 * @example
 * jsonErrorOffset('{"a": 1,}'); // 8
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: number[] = []; // 0x7b `{` or 0x5b `[` of each open container
  const skipWs = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if ('"\\/bfnrt'.includes(text.charAt(i + 1))) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const scalar = (): boolean => {
    const c = text.charCodeAt(i);
    if (c === 0x22) return string();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
    m.lastIndex = i;
    if (!m.test(text) || m.lastIndex === i) return false;
    i = m.lastIndex;
    return true;
  };
  // A state machine with an explicit stack: "[[[[…" a million deep is fine.
  const VALUE = 0;
  const KEY = 1;
  const AFTER = 2;
  let state = VALUE;
  for (;;) {
    skipWs();
    const c = text.charCodeAt(i);
    if (state === VALUE) {
      if (c === 0x7b || c === 0x5b) {
        i++;
        skipWs();
        if (text.charCodeAt(i) === c + 2) {
          i++; // `{}` or `[]` (`}` and `]` are 2 above `{` and `[`)
          state = AFTER;
        } else {
          stack.push(c);
          state = c === 0x7b ? KEY : VALUE;
        }
      } else if (scalar()) state = AFTER;
      else return i;
    } else if (state === KEY) {
      if (c !== 0x22 || !string()) return i;
      skipWs();
      if (text.charCodeAt(i) !== 0x3a) return i;
      i++;
      state = VALUE;
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n ? -1 : i;
      if (c === 0x2c) {
        i++;
        state = top === 0x7b ? KEY : VALUE;
      } else if (c === top + 2) {
        stack.pop();
        i++;
      } else return i;
    }
  }
}

/**
 * JSONC to JSON with the same offsets: comments (`//`, `/* *\/`) and trailing commas are blanked
 * with spaces (newlines kept), so positions found in the result are positions in the original.
 * Config-style JSON (docfx.json, tsconfig.json, VS Code settings) is written this way.
 * @example
 * JSON.parse(blankJsonc('{"a": 1, // one\n}')); // { a: 1 }
 */
export function blankJsonc(text: string): string {
  const out = text.split("");
  const n = text.length;
  let lastComma = -1; // a comma not yet followed by anything but blanks and comments
  let prev = 0; // the last significant character before it
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      lastComma = -1;
      prev = c;
      for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      for (; i < n && text.charCodeAt(i) !== 0x0a; i++) out[i] = " ";
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) break; // unterminated: left for the parser to report
      for (; i < end + 2; i++) if (text.charCodeAt(i) !== 0x0a) out[i] = " ";
      i--;
    } else if (!WS.has(c)) {
      if (c === 0x7d || c === 0x5d) {
        if (lastComma !== -1) out[lastComma] = " ";
      }
      // `{,` `[,` `,,` are errors, not trailing commas: the parser reports them.
      lastComma = c === 0x2c && prev !== 0x7b && prev !== 0x5b && prev !== 0x2c ? i : -1;
      prev = c;
    }
  }
  return out.join("");
}
