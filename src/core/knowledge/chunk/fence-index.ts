/**
 * Where the fences of a text can close. The parser builds one per fence character after the first
 * fence of it that never closes, by searching for runs of three of it; from then on, finding (or
 * ruling out) a closing fence never rescans the text, so many unclosed fences cost as much as one.
 * @module
 */
import { indentEnd, lineEnd } from "./markdown-lines.ts";

/**
 * Every bare fence line of one character (blanks, a run of ≥ 3 of it, blanks), in text order.
 * @example
 * new FenceIndex("```\ncode\n```\n", 0x60).closer(3, 3); // { start: 9, end: 12 }
 */
export class FenceIndex {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly runs: number[] = [];
  /** `longest[k]` = the longest run at or after candidate `k`. */
  private readonly longest: Int32Array;
  private cursor = 0;

  constructor(text: string, code: number) {
    const needle = String.fromCharCode(code).repeat(3);
    for (let hit = text.indexOf(needle); hit !== -1; ) {
      const s = text.lastIndexOf("\n", hit - 1) + 1;
      const e = lineEnd(text, hit);
      if (indentEnd(text, s, e) === hit) {
        let k = hit;
        while (k < e && text.charCodeAt(k) === code) k++;
        if (indentEnd(text, k, e) === e) {
          this.starts.push(s);
          this.ends.push(e);
          this.runs.push(k - hit);
        }
      }
      hit = e < text.length ? text.indexOf(needle, e + 1) : -1;
    }
    // A typed array: filling a plain array from its end would make it sparse (and slow).
    this.longest = new Int32Array(this.runs.length);
    let max = 0;
    for (let k = this.runs.length - 1; k >= 0; k--) {
      max = Math.max(max, this.runs[k] as number);
      this.longest[k] = max;
    }
  }

  /**
   * The closing line `[start, end)` of a fence of `len` characters opened on a line ending at
   * `after`, or `undefined` when none follows. Calls must come with increasing `after`.
   */
  closer(after: number, len: number): { start: number; end: number } | undefined {
    const n = this.starts.length;
    while (this.cursor < n && (this.starts[this.cursor] as number) <= after) this.cursor++;
    if (this.cursor === n || (this.longest[this.cursor] as number) < len) return undefined;
    let k = this.cursor;
    while ((this.runs[k] as number) < len) k++;
    return { start: this.starts[k] as number, end: this.ends[k] as number };
  }
}
