/**
 * The {@link Registration} model and its wire/storage form.
 * @module
 */
import { canonicalJson, parseTimestamp } from "../util/json.ts";
import { sha256Hex } from "../util/sha256.ts";
import type { JsonObject, Status } from "../validate.ts";
import type { SplitShare } from "./labels.ts";
import type { RecordExt, WriteContext } from "./record-ext.ts";

/** The JSON form of a registration on the wire and in storage (the seed's snake_case keys). */
export interface RegistrationDict {
  bot_id: string;
  config: JsonObject;
  status: Status | string;
  version: number;
  etag: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: JsonObject;
  /**
   * The record's extensible part (labels, the write context; see {@link RecordExt}): absent
   * when empty, and in every record written before it existed.
   */
  ext?: RecordExt;
}

/**
 * A registration as a {@link RecordStore} returns it: the wire form, except that `config` may be
 * its JSON text. A store that keeps text (memory, KV, SQL) hands it over unparsed; it is parsed
 * only when someone reads `Registration.config`, and served as is by `toJSONText()`.
 */
export type StoredRegistration = Omit<RegistrationDict, "config"> & { config: JsonObject | string };

/** The fields of a {@link Registration}. */
export interface RegistrationInit {
  botId: string;
  /** The config, or its JSON text (parsed when `config` is first read). */
  config: JsonObject | string;
  status?: Status | string;
  version?: number;
  etag?: string;
  /** A `Date`, or an ISO-8601 UTC string (kept as is until a `Date` is asked for). */
  createdAt?: Date | string;
  updatedAt?: Date | string;
  lastAccessedAt?: Date | string;
  metadata?: JsonObject;
  /** The bot's labels (name → version). */
  labels?: Readonly<Record<string, number>>;
  /** The bot's split labels (name → shares); each is in `labels` too, with its primary version. */
  splits?: Readonly<Record<string, readonly SplitShare[]>>;
  /** Who wrote this version and why. */
  writeContext?: WriteContext;
}

// What this library writes: `Date.toISOString()`. Such strings are kept as they are and parsed
// only when a `Date` is asked for, so reading and re-serialising a registration costs no dates.
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function canonical(value: unknown): value is string {
  return typeof value === "string" && CANONICAL.test(value);
}

/** `value` as it is when `now` is undefined (all three were canonical), else parsed. */
function instant(value: unknown, now: Date | undefined): Date | string {
  return now === undefined
    ? (value as string)
    : canonical(value)
      ? value
      : parseTimestamp(value, now);
}

function asDate(value: Date | string): Date {
  return typeof value === "string" ? new Date(value) : value;
}

function asIso(value: Date | string): string {
  return typeof value === "string" ? value : value.toISOString();
}

/**
 * The config of a stored record as an object (parsing it when the store kept its text).
 * @example
 * const config = configOf(await store.get("support-bot"));
 */
export function configOf(record: { config: JsonObject | string }): JsonObject {
  return typeof record.config === "string"
    ? (JSON.parse(record.config) as JsonObject)
    : record.config;
}

/**
 * A bot's stored configuration with its status, version and ETag.
 * @example
 * const reg = await backend.register("my-bot", { llm: { provider: "anthropic" } });
 * reg.version; // 1
 * reg.toDict(); // { bot_id: "my-bot", config: {...}, status: "active", ... }
 */
export class Registration {
  readonly botId: string;
  readonly status: Status | string;
  readonly version: number;
  readonly etag: string;
  readonly metadata: JsonObject;
  /** The bot's labels, name → version (`latest`, implied, is not among them); empty when none. */
  readonly labels: Readonly<Record<string, number>>;
  /**
   * The bot's labels that split between versions, name → shares (percents adding up to 100);
   * each is in `labels` too, with its primary version (the largest share). Empty when none.
   */
  readonly splits: Readonly<Record<string, readonly SplitShare[]>>;
  /** Who wrote this version and why; `undefined` when the write named nobody. */
  readonly writeContext: WriteContext | undefined;
  #createdAt: Date | string;
  #updatedAt: Date | string;
  #lastAccessedAt: Date | string;
  // Exactly one of the two is set: the parsed config, or its JSON text until it is first read.
  #config: JsonObject | undefined;
  #configText: string | undefined;

  constructor(init: RegistrationInit) {
    this.botId = init.botId;
    if (typeof init.config === "string") this.#configText = init.config;
    else this.#config = init.config;
    this.status = init.status ?? "active";
    this.version = init.version ?? 1;
    this.etag = init.etag ?? "";
    const { createdAt, updatedAt, lastAccessedAt } = init;
    const now = createdAt && updatedAt && lastAccessedAt ? undefined : new Date();
    this.#createdAt = createdAt ?? (now as Date);
    this.#updatedAt = updatedAt ?? (now as Date);
    this.#lastAccessedAt = lastAccessedAt ?? (now as Date);
    this.metadata = init.metadata ?? {};
    this.labels = init.labels ?? {};
    this.splits = init.splits ?? {};
    this.writeContext = init.writeContext;
  }

  /** The `ext` of the wire form, or `undefined` when it would be empty. */
  #ext(): RecordExt | undefined {
    const hasLabels = Object.keys(this.labels).length > 0;
    const hasSplits = Object.keys(this.splits).length > 0;
    if (!hasLabels && !hasSplits && this.writeContext === undefined) return undefined;
    return {
      ...(hasLabels ? { labels: { ...this.labels } } : {}),
      ...(hasSplits
        ? {
            splits: Object.fromEntries(
              Object.entries(this.splits).map(([n, shares]) => [n, shares.map((s) => ({ ...s }))]),
            ),
          }
        : {}),
      ...(this.writeContext === undefined ? {} : { write_context: { ...this.writeContext } }),
    };
  }

  /** The bot's configuration (a plain JSON object; yours to read, copy or mutate). */
  get config(): JsonObject {
    if (this.#config === undefined) {
      this.#config = JSON.parse(this.#configText as string) as JsonObject;
      // From now on the object is the truth (the caller may mutate it).
      this.#configText = undefined;
    }
    return this.#config;
  }

  /** When it was first registered. */
  get createdAt(): Date {
    this.#createdAt = asDate(this.#createdAt);
    return this.#createdAt;
  }

  /** When it was last written. */
  get updatedAt(): Date {
    this.#updatedAt = asDate(this.#updatedAt);
    return this.#updatedAt;
  }

  /** When it was last read (recorded, persisted at most once per touch interval). */
  get lastAccessedAt(): Date {
    this.#lastAccessedAt = asDate(this.#lastAccessedAt);
    return this.#lastAccessedAt;
  }

  /** True when the status is `active`. */
  get isActive(): boolean {
    return this.status === "active";
  }

  /** The wire/storage form (ISO-8601 UTC timestamps; `ext` only when there is one). */
  toDict(): RegistrationDict {
    const ext = this.#ext();
    const dict: RegistrationDict = {
      bot_id: this.botId,
      config: this.config,
      status: this.status,
      version: this.version,
      etag: this.etag,
      created_at: asIso(this.#createdAt),
      updated_at: asIso(this.#updatedAt),
      last_accessed_at: asIso(this.#lastAccessedAt),
      metadata: this.metadata,
    };
    if (ext !== undefined) dict.ext = ext;
    return dict;
  }

  /** Same as {@link Registration.toDict}. */
  toJSON(): RegistrationDict {
    return this.toDict();
  }

  /**
   * The wire form as JSON text: what `JSON.stringify(reg.toDict())` gives, without parsing and
   * re-serialising a config that came from storage as text (the API's read path).
   */
  toJSONText(): string {
    const config = this.#configText ?? JSON.stringify(this.#config);
    const ext = this.#ext();
    return `{"bot_id":${JSON.stringify(this.botId)},"config":${config},"status":${JSON.stringify(this.status)},"version":${JSON.stringify(this.version)},"etag":${JSON.stringify(this.etag)},"created_at":"${asIso(this.#createdAt)}","updated_at":"${asIso(this.#updatedAt)}","last_accessed_at":"${asIso(this.#lastAccessedAt)}","metadata":${JSON.stringify(this.metadata)}${ext === undefined ? "" : `,"ext":${JSON.stringify(ext)}`}}`;
  }

  /**
   * Reads the wire form (or a stored record, whose `config` may be JSON text). `bot_id` and
   * `config` are required; `status` defaults to `active`, missing timestamps to now; `Z` and
   * `+00:00` offsets are both accepted; `ext` (absent in older records) gives `labels` and
   * `writeContext`.
   */
  static fromDict(
    data: Partial<StoredRegistration> & { bot_id: string; config: JsonObject | string },
  ): Registration {
    if (
      typeof data?.bot_id !== "string" ||
      (typeof data.config !== "string" && (typeof data.config !== "object" || data.config === null))
    ) {
      throw new TypeError("Registration.fromDict needs 'bot_id' and an object 'config'");
    }
    const { created_at, updated_at, last_accessed_at } = data;
    // Missing timestamps share one "now"; canonical ones (all we write) need no Date at all.
    const now =
      canonical(created_at) && canonical(updated_at) && canonical(last_accessed_at)
        ? undefined
        : new Date();
    const { labels, splits, write_context } = data.ext ?? {};
    return new Registration({
      botId: data.bot_id,
      config: data.config,
      status: data.status ?? "active",
      version: typeof data.version === "number" ? data.version : 1,
      etag: data.etag ?? "",
      createdAt: instant(created_at, now),
      updatedAt: instant(updated_at, now),
      lastAccessedAt: instant(last_accessed_at, now),
      metadata: data.metadata ?? {},
      ...(labels === undefined ? {} : { labels }),
      ...(splits === undefined ? {} : { splits }),
      ...(write_context === undefined ? {} : { writeContext: write_context }),
    });
  }

  toString(): string {
    return `Registration(bot_id='${this.botId}', status='${this.status}', version=${this.version}, created_at=${asIso(this.#createdAt)})`;
  }
}

/** The ETag of a config and status: SHA-256 of their canonical JSON, so equal content gives an equal tag. */
export function computeEtag(config: JsonObject, status: string): Promise<string> {
  return sha256Hex(canonicalJson({ config, status }));
}
