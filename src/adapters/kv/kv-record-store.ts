/**
 * {@link KVRecordStore}: the registry's {@link RecordStore} on Workers KV — eventually
 * consistent, without compare-and-set, with KV's limits honoured before each call.
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { pageLimit } from "../../core/registry/page.ts";
import type {
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "../../core/registry/record-store.ts";
import { checkKeepLast, checkPutRecord } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";
import { sha256Hex } from "../../core/util/sha256.ts";
import { KvClient } from "./kv-client.ts";
import { checkKvKey, checkKvValue, KeyPacer, KV_MIN_WRITE_INTERVAL_MS } from "./kv-limits.ts";
import type { KVNamespaceLike } from "./types.ts";

/** Options of {@link KVRecordStore}. */
export interface KVRecordStoreOptions {
  /** The KV binding (`env.REGISTRY_KV` with `[[kv_namespaces]]` in `wrangler.toml`). */
  namespace: KVNamespaceLike;
  /** Keys start with this (default `""`), so one namespace can hold other data too. */
  prefix?: string;
  /**
   * The declared bound on how late a write shows elsewhere (default 60 000 ms, KV's documented
   * worst case). Pollers wait it out; lower it only where the namespace is known to be faster.
   */
  visibilityLagMs?: number;
  /** The least time between two writes to one key from this isolate (default 1 000 ms, KV's limit). */
  minWriteIntervalMs?: number;
}

/** The access time of a record, kept apart from it (`a/<id>`): a touch never rewrites the record. */
interface Access {
  v: number;
  at: string;
}

/** The metadata of `r/<id>`: the version and a write id unique to the write (the revision hashes them). */
interface RecordMeta {
  v: number;
  w: string;
}

const MAX_VERSION = 999_999_999_999_999;

/** A write id: unique, and ordered by time (tombstones older than a day are dropped by later writes). */
const writeId = (): string => `${Date.now().toString(36).padStart(9, "0")}-${crypto.randomUUID()}`;
const DAY_MS = 86_400_000;

/**
 * Records in Workers KV under `prefix`: `r/<id>` the current record as JSON, `ext` included (its
 * version and write id in the key's metadata), `h/<id>/<999…9 − version>` each kept version (so a listing comes newest
 * first), `a/<id>` the last access of the current version, and `t/<write id>` a tombstone per
 * delete or clear. Bot ids never hold `/`, so the prefixes cannot collide.
 *
 * - **Eventual consistency**, declared: `capabilities.visibilityLagMs` (60 s by default). A read
 *   may miss a recent write elsewhere for up to that long; `revision()` is a hash of the listed
 *   records' write ids and tombstones, so it moves with every `put`, `delete` and `clear` once the
 *   listing shows them, never on reads or touches, and a past value never comes back.
 * - **No compare-and-set** (`atomicWrites: false`): `put` reads the version and writes if it
 *   matches; writers in this isolate queue per bot, so among them the check holds. Two isolates
 *   writing one bot at the same moment may both pass the check: the last write wins and the
 *   other version's history entry may be replaced. Use D1 where concurrent writers must conflict.
 * - **One write per second per key**: writes to one key from this isolate are spaced by
 *   `minWriteIntervalMs`; a touch within that interval is skipped (access times are informational);
 *   reads never write. Keys over 512 bytes and values over 25 MiB are `ValidationError`s before
 *   any call.
 * - **No filter pushdown** (`capabilities.filters` absent): a KV listing pages by key, so
 *   `list` ignores `where` and the registry filters the pages it reads.
 * @example
 * const store = new KVRecordStore({ namespace: env.REGISTRY_KV });
 * const backend = new StoreRegistryBackend({ store }); // backend.visibilityLagMs === 60_000
 */
export class KVRecordStore implements RecordStore {
  readonly name: string = "kv";
  readonly capabilities: RecordStoreCapabilities;
  readonly #io: KvClient;
  readonly #prefix: string;
  readonly #pacer: KeyPacer;
  readonly #lock = new KeyedLock();

  constructor(options: KVRecordStoreOptions) {
    if (typeof options?.namespace?.get !== "function")
      throw new ValidationError("KVRecordStore needs a KV namespace binding (options.namespace)", [
        { path: ["namespace"], message: "expected a KVNamespace binding" },
      ]);
    const lag = options.visibilityLagMs ?? 60_000;
    if (!(Number.isFinite(lag) && lag >= 0))
      throw new ValidationError(`Invalid visibilityLagMs ${lag}`, [
        { path: ["visibilityLagMs"], message: "expected a finite number of ms ≥ 0" },
      ]);
    this.#prefix = options.prefix ?? "";
    this.#pacer = new KeyPacer(options.minWriteIntervalMs ?? KV_MIN_WRITE_INTERVAL_MS);
    this.#io = new KvClient(options.namespace, this.#pacer);
    this.capabilities = { consistency: "eventual", visibilityLagMs: lag, atomicWrites: false };
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  #key(kind: "r" | "a" | "h" | "t", id: string, version?: number): string {
    const tail = version === undefined ? "" : `/${String(MAX_VERSION - version).padStart(15, "0")}`;
    return checkKvKey(`${this.#prefix}${kind}/${id}${tail}`);
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    const [record] = await this.#records([botId]);
    return record ?? null;
  }

  async list(options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const prefix = `${this.#prefix}r/`;
    const page = await this.#io.list(prefix, { limit, cursor: options.cursor });
    // A record deleted between the listing and the read is left out (it was not there throughout).
    const records = await this.#records(page.keys.map((k) => k.name.slice(prefix.length)));
    const items = records.filter((r): r is StoredRegistration => r !== null);
    return page.list_complete ? { items } : { items, cursor: page.cursor };
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    checkPutRecord(record, expectedVersion);
    if (record.version > MAX_VERSION)
      throw new ValidationError(`version ${record.version} is above ${MAX_VERSION}`, [
        { path: ["version"], message: `at most ${MAX_VERSION}` },
      ]);
    const id = record.bot_id;
    const recordKey = this.#key("r", id);
    const historyKey = this.#key("h", id, record.version);
    const value = checkKvValue(recordKey, JSON.stringify(record));
    return this.#lock.run(id, async () => {
      const current = await this.#meta(id);
      if ((current?.v ?? null) !== expectedVersion) return false;
      // History first: a crash between the two writes leaves an extra entry, never a lost one.
      await this.#io.write(historyKey, value);
      const meta: RecordMeta = { v: record.version, w: writeId() };
      try {
        await this.#io.write(recordKey, value, meta);
      } catch (error) {
        await this.#io.deleteAll([historyKey]).catch(() => {});
        throw error;
      }
      return true;
    });
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    const accessKey = this.#key("a", botId);
    // Throttled: access times are informational, and KV takes one write per second per key.
    if (this.#pacer.recent(accessKey)) return false;
    const current = await this.#meta(botId);
    if (current?.v !== version) return false;
    const access: Access = { v: version, at: lastAccessedAt };
    await this.#io.write(accessKey, JSON.stringify(access));
    return true;
  }

  async delete(botId: string): Promise<boolean> {
    return this.#lock.run(botId, async () => {
      if ((await this.#meta(botId)) === null) return false;
      await this.#remove(botId);
      return true;
    });
  }

  async clear(): Promise<string[]> {
    const prefix = `${this.#prefix}r/`;
    const ids = (await this.#io.listAll(prefix)).map((k) => k.name.slice(prefix.length));
    if (ids.length === 0) return [];
    // Every access and history key of the namespace's records, listed once rather than per id.
    const others = [
      ...(await this.#io.listAll(`${this.#prefix}a/`)),
      ...(await this.#io.listAll(`${this.#prefix}h/`)),
    ].map((k) => k.name);
    await this.#io.deleteAll([...ids.map((id) => this.#key("r", id)), ...others]);
    await this.#tombstone();
    return ids;
  }

  async revision(): Promise<string> {
    const parts: string[] = [];
    for (const kind of ["r", "t"] as const)
      for (const k of await this.#io.listAll<RecordMeta>(`${this.#prefix}${kind}/`))
        parts.push(`${k.name} ${k.metadata?.w ?? ""}`);
    return `${parts.length}-${(await sha256Hex(parts.join("\n"))).slice(0, 24)}`;
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const prefix = `${this.#key("h", botId)}/`;
    const page = await this.#io.list(prefix, { limit, cursor: options.cursor });
    const values = await this.#io.getMany(page.keys.map((k) => k.name));
    const items = values.filter((v): v is string => v !== null).map(parse);
    return page.list_complete ? { items } : { items, cursor: page.cursor };
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) return null;
    const [value] = await this.#io.getMany([this.#key("h", botId, version)]);
    return value ? parse(value) : null;
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    checkKeepLast(keepLast);
    const keys = await this.#io.listAll(`${this.#key("h", botId)}/`);
    // Newest first: everything after the first keepLast goes.
    const doomed = keys.slice(keepLast).map((k) => k.name);
    await this.#io.deleteAll(doomed);
    return doomed.length;
  }

  /** The current records of `ids` (null for each missing), each with its last access merged in. */
  async #records(ids: string[]): Promise<(StoredRegistration | null)[]> {
    const keys = ids.flatMap((id) => [this.#key("r", id), this.#key("a", id)]);
    const values = await this.#io.getMany(keys);
    return ids.map((_, i) => {
      const value = values[2 * i];
      if (value === null || value === undefined) return null;
      const record = parse(value);
      const accessText = values[2 * i + 1];
      if (accessText) {
        const access = JSON.parse(accessText) as Access;
        // Only an access to this very version counts: a touch never reverts a later put.
        if (access.v === record.version) record.last_accessed_at = access.at;
      }
      return record;
    });
  }

  /** The version of the current record, from `r/<id>`'s metadata. */
  async #meta(id: string): Promise<RecordMeta | null> {
    const key = this.#key("r", id);
    const got = await this.#io.getWithMetadata<RecordMeta>(key);
    return got.value === null ? null : (got.metadata ?? { v: parse(got.value).version, w: "" });
  }

  /** Deletes a record with its access and history, then leaves a tombstone (the revision moves). */
  async #remove(id: string): Promise<void> {
    await this.#io.deleteAll([
      this.#key("r", id),
      this.#key("a", id),
      ...(await this.#io.listAll(`${this.#key("h", id)}/`)).map((k) => k.name),
    ]);
    await this.#tombstone();
  }

  /** Writes a tombstone; drops those older than a day (every reader has seen them by then). */
  async #tombstone(): Promise<void> {
    const prefix = `${this.#prefix}t/`;
    const old = (await this.#io.listAll(prefix)).map((k) => k.name);
    await this.#io.write(this.#key("t", writeId()), "");
    const cutoff = (Date.now() - DAY_MS).toString(36).padStart(9, "0");
    await this.#io.deleteAll(
      old.filter((key) => key.slice(prefix.length, prefix.length + 9) < cutoff),
    );
  }
}

function parse(text: string): StoredRegistration {
  return JSON.parse(text) as StoredRegistration;
}
