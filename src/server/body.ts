/**
 * Request bodies with size limits: JSON read whole (up to `maxJsonBytes`, nested at most
 * `MAX_JSON_DEPTH` levels, no `__proto__` key anywhere), files passed on as a stream that fails
 * with 413 the moment it grows past `maxFileBytes`.
 * @module
 */
import type { Context } from "hono";
import { ValidationError } from "../core/errors.ts";
import { readAll } from "../core/util/streams.ts";
import { MAX_JSON_DEPTH, PROTO_KEY_RULE } from "../core/validate.ts";
import { header } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";

function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    ApiErrorCode.PAYLOAD_TOO_LARGE,
    `Request body exceeds the limit of ${limit} bytes`,
  );
}

/** Rejects up front when `Content-Length` already says the body is too large. */
function checkDeclaredLength(c: Context, limit: number): void {
  const declared = header(c, "content-length");
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit)
    throw tooLarge(limit);
}

/** Reads the whole body, failing with 413 as soon as it passes `limit` bytes. */
async function readBytes(c: Context, limit: number): Promise<Uint8Array> {
  checkDeclaredLength(c, limit);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  try {
    return await readAll(stream, limit);
  } catch (error) {
    // readAll's only ValidationError is the limit; over HTTP that is a 413.
    if (error instanceof ValidationError) throw tooLarge(limit);
    throw error;
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Refuses JSON text nested deeper than {@link MAX_JSON_DEPTH}, by a scan of the raw text before
 * `JSON.parse` (which would otherwise build the whole structure and overflow the stack later).
 */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH)
        throw badInput("body", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
}

/** The path of the first `__proto__` key in `value`, or null (depth is already bounded). */
function protoKeyPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value !== "object" || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = protoKeyPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") return [...path, key];
    const found = protoKeyPath((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Refuses a `__proto__` key anywhere (JSON.parse makes it an own key; copies would drop it). */
function checkProtoKeys(text: string, value: unknown): void {
  // Only text that spells the key, plainly or with escapes, can hold one.
  if (!text.includes("__proto__") && !text.includes("\\u")) return;
  const path = protoKeyPath(value, []);
  if (path) {
    const where = path.join(".");
    throw new ValidationError(`Invalid body at ${where}: ${PROTO_KEY_RULE}`, [
      { path: ["body", ...path], message: PROTO_KEY_RULE },
    ]);
  }
}

function parse(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badInput("body", "not valid UTF-8");
  }
  if (text.trim() === "") return undefined;
  checkDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw badInput("body", `malformed JSON (${(error as Error).message})`);
  }
  checkProtoKeys(text, value);
  return value;
}

/**
 * Reads a JSON body of at most `limit` bytes: too large → 413, empty or malformed → 400.
 * @example
 * const input = await readJson(c, 1024 * 1024);
 */
export async function readJson(c: Context, limit: number): Promise<unknown> {
  const value = parse(await readBytes(c, limit));
  if (value === undefined) throw badInput("body", "expected a JSON body");
  return value;
}

/**
 * Reads an optional JSON body: an empty body gives `undefined`.
 * @example
 * const options = (await readOptionalJson(c, limit)) ?? {};
 */
export async function readOptionalJson(c: Context, limit: number): Promise<unknown> {
  return parse(await readBytes(c, limit));
}

/**
 * The request body as a stream that errors with a 413 {@link ApiError} once more than `limit`
 * bytes have passed (nothing is buffered here). No body gives an empty stream.
 * @example
 * await knowledge.putFile(domain, path, limitedBody(c, maxFileBytes));
 */
export function limitedBody(c: Context, limit: number): ReadableStream<Uint8Array> {
  checkDeclaredLength(c, limit);
  const source = c.req.raw.body ?? new Blob([]).stream();
  let seen = 0;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.length;
        if (seen > limit) controller.error(tooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
}
