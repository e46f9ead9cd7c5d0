/**
 * Canonical JSON and content hashes (Web Crypto only).
 * @module
 */

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX[b];
  return out;
}

/** SHA-256 of text (UTF-8) or bytes, as lower-case hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
}

/** Parses an ISO-8601 timestamp (`Z` or `+00:00`); `fallback` when missing or empty. */
export function parseTimestamp(value: unknown, fallback: Date): Date {
  if (value instanceof Date) return value;
  if (typeof value !== "string" || value === "") return fallback;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError(`Invalid timestamp: ${JSON.stringify(value)}`);
  return d;
}
