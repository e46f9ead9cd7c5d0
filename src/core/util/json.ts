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

/** Parses an ISO-8601 timestamp (`Z` or `+00:00`); `fallback` when missing or empty. */
export function parseTimestamp(value: unknown, fallback: Date): Date {
  if (value instanceof Date) return value;
  if (typeof value !== "string" || value === "") return fallback;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError(`Invalid timestamp: ${JSON.stringify(value)}`);
  return d;
}
