/**
 * Single byte ranges (`Range: bytes=…`, RFC 9110 §14): parsing the header (the knowledge
 * backend reads the range itself).
 * @module
 */

/** What a `Range` header asks of a representation of `size` bytes. */
export type RangeRequest =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * Parses a `Range` header against a size. Absent, malformed, other units and multi-range
 * requests give `full` (RFC 9110 lets a server ignore them; multipart answers are not made);
 * a well-formed range outside the content gives `unsatisfiable` (416).
 * @example
 * parseRange("bytes=0-9", 100); // { kind: "partial", start: 0, end: 9 }
 * parseRange("bytes=-10", 100); // { kind: "partial", start: 90, end: 99 }
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "full" };
  const first = m[1] as string;
  const last = m[2] as string;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", start, end };
}
