/**
 * Where {@link BlobRecordStore} keeps what in its blob store, and the JSON of each object.
 *
 * Under the store's prefix:
 * - `r/<id>` — the head: the current record as written, with its incarnation (`inc`: a random
 *   id given when the record is created, so nothing of a deleted record is inherited by the next
 *   one of the same id). Each write replaces it by compare-and-set on its etag.
 * - `h/<id>/<inc>/<999…9 − version>` — each earlier version as written, immutable (the inverted
 *   number lists newest first). A version is copied here before the head moves past it.
 * - `a/<id>` — the last access of the current version (`{ inc, v, at }`), apart from the head so a
 *   touch never changes the head (nor the revision).
 * - `t/<write id>` — one empty object per delete or clear, so the revision never repeats.
 *
 * On a store whose names are shorter than an id may be (`maxNameBytes`: a file system's 255
 * bytes, an id up to 256), the id is cut into parts of that length (`<first 255>/<rest>`): ids
 * hold no `/`, so the cut is undone by removing it, and keys still sort as the ids do.
 * @module
 */
import { AdapterError, ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../id-pattern.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

/** The largest version the layout can order (15 digits). */
export const MAX_BLOB_RECORD_VERSION = 999_999_999_999_999;

/** The head of a record: the current version as written, and its incarnation. */
export interface HeadDocument {
  inc: string;
  record: RegistrationDict | StoredRegistration;
}

/** The last access of a record's current version. */
export interface AccessDocument {
  inc: string;
  v: number;
  at: string;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** The keys of one store's layout under `prefix` (ending in `/`, or empty). */
export class BlobRecordLayout {
  readonly prefix: string;
  readonly #maxName: number;

  constructor(prefix: string, maxNameBytes: number = Number.POSITIVE_INFINITY) {
    this.prefix = prefix;
    this.#maxName = maxNameBytes;
  }

  /** The id as a path of names no longer than the store allows (ids are ASCII: bytes = characters). */
  #path(id: string): string {
    if (id.length <= this.#maxName) return id;
    const parts: string[] = [];
    for (let i = 0; i < id.length; i += this.#maxName) parts.push(id.slice(i, i + this.#maxName));
    return parts.join("/");
  }

  /** The id a head's key names. */
  idOf(headKey: string): string {
    return headKey.slice(this.kind("r").length).replaceAll("/", "");
  }

  head(id: string): string {
    return `${this.prefix}r/${this.#path(id)}`;
  }

  access(id: string): string {
    return `${this.prefix}a/${this.#path(id)}`;
  }

  /** The folder of one incarnation's kept versions. */
  versions(id: string, inc: string): string {
    return `${this.prefix}h/${this.#path(id)}/${inc}/`;
  }

  version(id: string, inc: string, version: number): string {
    return `${this.versions(id, inc)}${String(MAX_BLOB_RECORD_VERSION - version).padStart(15, "0")}`;
  }

  /** The version a key made by {@link version} names. */
  versionOf(key: string): number {
    return MAX_BLOB_RECORD_VERSION - Number(key.slice(key.lastIndexOf("/") + 1));
  }

  tombstone(writeId: string): string {
    return `${this.prefix}t/${writeId}`;
  }

  /** The folder of every head, access, kept version or tombstone. */
  kind(kind: "r" | "a" | "h" | "t"): string {
    return `${this.prefix}${kind}/`;
  }
}

/** A record id the layout can hold (the id rule: no `/`); other ids name no record. */
export function isRecordId(id: unknown): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** Throws `ValidationError` for a record the layout cannot keep (its id, or a version past 15 digits). */
export function checkLayoutRecord(record: RegistrationDict): void {
  if (!isRecordId(record.bot_id))
    throw new ValidationError(
      `Invalid bot_id ${JSON.stringify(record.bot_id)}: expected 1–256 characters of [A-Za-z0-9._:@-]`,
      [{ path: ["bot_id"], message: "expected the id rule" }],
    );
  if (record.version > MAX_BLOB_RECORD_VERSION)
    throw new ValidationError(`version ${record.version} is above ${MAX_BLOB_RECORD_VERSION}`, [
      { path: ["version"], message: `at most ${MAX_BLOB_RECORD_VERSION}` },
    ]);
}

/** A random id: an incarnation, or (time-ordered) a tombstone's write id. */
export function writeId(timed = false): string {
  const random = crypto.randomUUID().replace(/-/g, "");
  return timed ? `${Date.now().toString(36).padStart(9, "0")}-${random}` : random;
}

/** JSON as UTF-8 bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

/** Parses an object this layout wrote; anything else there is an `AdapterError` naming the key. */
export function decodeJson<T>(
  store: string,
  key: string,
  bytes: Uint8Array,
  check: (v: T) => boolean,
): T {
  let value: T;
  try {
    value = JSON.parse(text.decode(bytes)) as T;
  } catch (error) {
    throw new AdapterError(store, `'${key}' is not a record of the registry (not JSON)`, {
      cause: error,
    });
  }
  if (value === null || typeof value !== "object" || !check(value))
    throw new AdapterError(store, `'${key}' is not a record of the registry`);
  return value;
}

/** Whether a parsed head has the fields this layout writes. */
export function isHead(v: HeadDocument): boolean {
  return typeof v.inc === "string" && typeof v.record?.version === "number";
}

/** Whether a parsed access record has the fields this layout writes. */
export function isAccess(v: AccessDocument): boolean {
  return typeof v.inc === "string" && typeof v.v === "number" && typeof v.at === "string";
}
