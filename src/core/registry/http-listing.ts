/**
 * Reading the HTTP registry's answers: listings in each shape a server may send (botknobs'
 * `{ items, cursor? }`, the seed's plain array, `{ configs }`) and error bodies.
 * @module
 */
import { AdapterError } from "../errors.ts";
import type { Page } from "./record-store.ts";
import { Registration, type RegistrationDict } from "./registration.ts";

/**
 * The registrations of a listing answer: `{ items, cursor? }`, a plain array or `{ configs }`
 * (the last two are one whole page, filtered here by `status`). Anything else is an `AdapterError`.
 * @example
 * listing([{ bot_id: "a", config: {} }], url, undefined); // { items: [Registration a] }
 */
export function listing(
  data: unknown,
  url: string,
  status: string | undefined,
): Page<Registration> {
  const body = data as { items?: unknown; cursor?: unknown; configs?: unknown } | null;
  const items = Array.isArray(data)
    ? data
    : Array.isArray(body?.items)
      ? body.items
      : Array.isArray(body?.configs)
        ? body.configs
        : undefined;
  if (items === undefined)
    throw new AdapterError("http", `GET ${url}: the answer is not a list of registrations`);
  let regs: Registration[];
  try {
    regs = (items as RegistrationDict[]).map((d) => Registration.fromDict(d));
  } catch (error) {
    throw new AdapterError("http", `GET ${url}: an item is not a registration`, { cause: error });
  }
  if (status !== undefined) regs = regs.filter((r) => r.status === status);
  const cursor = Array.isArray(data) ? undefined : body?.cursor;
  return typeof cursor === "string" && cursor !== "" ? { items: regs, cursor } : { items: regs };
}

/**
 * The `error.code` of an API error body, if it is one.
 * @example
 * errorCode('{"error":{"code":"NOT_FOUND","message":"…"}}'); // "NOT_FOUND"
 */
export function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } } | null)?.error?.code;
  } catch {
    return undefined;
  }
}

/**
 * The `error.message` of an API error body, else `fallback`.
 * @example
 * errorText('{"error":{"code":"NOT_FOUND","message":"Version 3 of bot \'a\' not found"}}', "not found");
 */
export function errorText(text: string, fallback: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === "string" && message !== "" ? message : fallback;
  } catch {
    return fallback;
  }
}

/**
 * An entity-tag without `W/` and quotes.
 * @example
 * unquote('W/"abc"'); // "abc"
 */
export function unquote(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

/**
 * A query string of the defined values (`""` when none).
 * @example
 * queryString({ limit: 10, cursor: undefined }); // "?limit=10"
 */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}
