/**
 * The few XML documents of the S3 API the store reads (ListObjectsV2, errors, DeleteObjects,
 * CopyObject) and the one it writes (DeleteObjects): S3's answers are flat, element-only XML
 * without attributes on the fields read here, so a small reader does, with entities decoded.
 * @module
 */

/** One object of a ListObjectsV2 page. */
export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
}

/** A ListObjectsV2 page. */
export interface ListResult {
  objects: ListedObject[];
  prefixes: string[];
  /** `NextContinuationToken` when the listing is truncated. */
  next?: string;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Text content with XML entities (named and numeric) decoded. */
export function xmlText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

/** Every `<tag>…</tag>` body in `xml` (raw, not decoded); an empty `<tag/>` gives "". */
export function elements(xml: string, tag: string): string[] {
  const found: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`, "g");
  for (const m of xml.matchAll(re)) found.push(m[1] ?? "");
  return found;
}

/** The decoded text of the first `<tag>`, or undefined. */
export function field(xml: string, tag: string): string | undefined {
  const [raw] = elements(xml, tag);
  return raw === undefined ? undefined : xmlText(raw);
}

/** Parses a ListObjectsV2 answer. */
export function parseList(xml: string): ListResult {
  const objects = elements(xml, "Contents").map((c) => ({
    key: field(c, "Key") ?? "",
    size: Number(field(c, "Size") ?? 0),
    etag: field(c, "ETag") ?? "",
    lastModified: field(c, "LastModified") ?? "",
  }));
  const prefixes = elements(xml, "CommonPrefixes").map((p) => field(p, "Prefix") ?? "");
  const truncated = field(xml, "IsTruncated") === "true";
  const next = field(xml, "NextContinuationToken");
  return truncated && next ? { objects, prefixes, next } : { objects, prefixes };
}

/** The `Code` and `Message` of an S3 `<Error>` document (empty when there is none). */
export function parseError(xml: string): { code: string; message: string } {
  const [error] = elements(xml, "Error");
  if (error === undefined) return { code: "", message: "" };
  return { code: field(error, "Code") ?? "", message: field(error, "Message") ?? "" };
}

/** The keys a DeleteObjects answer reports as not deleted, with their codes. */
export function parseDeleteErrors(xml: string): { key: string; code: string; message: string }[] {
  return elements(xml, "Error").map((e) => ({
    key: field(e, "Key") ?? "",
    code: field(e, "Code") ?? "",
    message: field(e, "Message") ?? "",
  }));
}

/** Text escaped for an XML element. */
export function xmlEscape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/** Whether XML 1.0 can carry `text` (a key it cannot is deleted on its own, not in a batch). */
export function xmlSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control characters other than tab, line feed and carriage return; U+FFFE and U+FFFF.
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff)
      return false;
  }
  return true;
}

/** The body of a quiet DeleteObjects request. */
export function deleteBody(keys: readonly string[]): string {
  const objects = keys.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${objects}</Delete>`;
}
