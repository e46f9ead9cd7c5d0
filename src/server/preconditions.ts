/**
 * Conditional requests: `ETag` values, `If-None-Match` (304) and the registry's `If-Match`
 * (a version or an ETag; 412 when no tag matches, 400 when it is not an entity-tag list).
 * @module
 */
import { badInput } from "./errors.ts";
import { LABELS_ETAG } from "./label-etags.ts";

/**
 * A strong entity-tag for an opaque value. Characters an entity-tag cannot hold (RFC 9110
 * `etagc`: no `"`, no spaces or controls) are percent-encoded, so any revision string fits.
 * @example
 * quoteEtag("abc-1"); // "\"abc-1\""
 */
export function quoteEtag(value: string): string {
  return /^[\x21\x23-\x7e]*$/.test(value) ? `"${value}"` : `"${encodeURIComponent(value)}"`;
}

/** One entity-tag of a list header. */
export interface EntityTag {
  weak: boolean;
  /** The tag without quotes (an unquoted token is accepted as the tag itself). */
  tag: string;
  /** False for a bare token (not an entity-tag by RFC 9110, accepted leniently). */
  quoted: boolean;
}

/**
 * Parses an `If-Match` / `If-None-Match` value: `"*"`, or the list of entity-tags (quoted, `W/`
 * weak, or — leniently — bare tokens). `null` when it is not a list of such tags.
 * @example
 * parseEtags('W/"a", "b"'); // [{ weak: true, tag: "a", quoted: true }, { weak: false, tag: "b", quoted: true }]
 */
export function parseEtags(header: string): "*" | EntityTag[] | null {
  const value = header.trim();
  if (value === "*") return "*";
  const tags: EntityTag[] = [];
  const re = /\s*(W\/)?(?:"([\x21\x23-\x7e]*)"|([\x21\x23-\x2b\x2d-\x7e]+))\s*(?:,|$)/y;
  let at = 0;
  while (at < value.length) {
    re.lastIndex = at;
    const m = re.exec(value);
    if (!m || re.lastIndex === at) return null;
    tags.push({
      weak: m[1] !== undefined,
      tag: (m[2] ?? m[3]) as string,
      quoted: m[2] !== undefined,
    });
    at = re.lastIndex;
  }
  return tags.length > 0 ? tags : null;
}

/**
 * True when `If-None-Match` matches `etag` (weak comparison, RFC 9110 §13.1.2): answer 304.
 * A header that does not parse matches nothing.
 * @example
 * if (noneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304);
 */
export function noneMatch(header: string | undefined, etag: string | null): boolean {
  if (header === undefined || etag === null) return false;
  const tags = parseEtags(header);
  if (tags === "*") return true;
  const bare = etag.replace(/^W\//, "").replace(/^"|"$/g, "");
  return !!tags?.some((t) => t.tag === bare);
}

/** What a registry `If-Match` asks for. */
export type IfMatch = { any: true } | { any: false; versions: number[]; etags: string[] };

const VERSION = /^\d{1,15}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Parses the registry's `If-Match`: `*` (must exist), or a list of entity-tags, of which
 * versions (`"3"`, or bare `3`) and ETags (the 64-hex content hash, quoted or bare; or the ETag
 * of a bot's labels, `"4.1x0c2a9"`, see `labelsEtag`) can match.
 * Any other well-formed entity-tag (`"stale"`) matches nothing, so the request is a 412
 * (RFC 9110 §13.1.1), as are weak tags (`W/"…"`: If-Match compares strongly). Only a header that
 * is not an entity-tag list (a bare token that is neither a version nor an ETag, an unterminated
 * quote, an empty value) is a 400 (`ValidationError`).
 * @example
 * parseIfMatch('"3"'); // { any: false, versions: [3], etags: [] }
 * parseIfMatch('"stale"'); // { any: false, versions: [], etags: [] }: matches nothing (412)
 */
export function parseIfMatch(header: string): IfMatch {
  const tags = parseEtags(header);
  if (tags === "*") return { any: true };
  if (tags === null) throw badInput("If-Match", "expected * or a list of entity-tags");
  const versions: number[] = [];
  const etags: string[] = [];
  for (const { weak, tag, quoted } of tags) {
    if (VERSION.test(tag)) {
      if (!weak) versions.push(Number(tag));
    } else if (SHA256.test(tag) || (quoted && LABELS_ETAG.test(tag))) {
      if (!weak) etags.push(tag.toLowerCase());
    } else if (!quoted) {
      throw badInput(
        "If-Match",
        `expected *, a version number or an entity-tag, got ${JSON.stringify(tag.slice(0, 80))}`,
      );
    }
  }
  return { any: false, versions, etags };
}

/**
 * True when a registration at `version` with `etag` (and `labelsTag`, the ETag of its labels,
 * when one is asked about) satisfies `ifMatch`.
 * @example
 * matchesIfMatch(parseIfMatch("2"), 2, reg.etag); // true
 */
export function matchesIfMatch(
  ifMatch: IfMatch,
  version: number,
  etag: string,
  labelsTag = "",
): boolean {
  return (
    ifMatch.any ||
    ifMatch.versions.includes(version) ||
    ifMatch.etags.includes(etag) ||
    ifMatch.etags.includes(labelsTag)
  );
}
