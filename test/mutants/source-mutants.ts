/**
 * The adapters' source mutants: each is one realistic mistake an adapter author could make, put
 * into the adapter's own source by a text patch (`patch.ts` applies it), with the conformance
 * cases that must catch it. `adapter-mutants.test.ts` (Node) and
 * `test/workerd/adapter-mutants.test.ts` run each against its port's suites; `npm run mutants`
 * prints what they caught per adapter.
 */

import { BROWSER_MUTANTS } from "./browser-source-mutants.ts";
import { CORE_MUTANTS } from "./core-source-mutants.ts";
import { FS_MUTANTS } from "./fs-source-mutants.ts";
import {
  LIST_CACHE,
  type MutantAdapter,
  one,
  type Patch,
  type SourceMutant,
} from "./source-mutant-shape.ts";

export type { MutantAdapter, Patch, SourceMutant } from "./source-mutant-shape.ts";

const KV = "src/adapters/kv/kv-record-store.ts";
const D1 = "src/adapters/d1/d1-record-store.ts";
const SQLITE = "src/adapters/sqlite/sqlite-record-store.ts";
const SQL = "src/core/registry/sql-record-store.ts";
const R2 = "src/adapters/r2/r2-blob-store.ts";
const HUB = "src/adapters/durable-object/durable-object-hub.ts";
const S3 = "src/adapters/s3/s3-blob-store.ts";
const PG_BUS = "src/adapters/postgres/postgres-event-bus.ts";
const REDIS_BUS = "src/adapters/redis/redis-event-bus.ts";

/**
 * The mistakes of the SQL statements every store on SQL shares (`SqlRecordStore`), as mutants of
 * one store: `prefix` names them, `entry` is the store's module (it imports the patched file).
 */
function sqlMutants(prefix: string, adapter: MutantAdapter, entry: string): SourceMutant[] {
  const sql = (find: string, replace: string): Patch => ({ file: SQL, find, replace });
  return [
    {
      id: `${prefix}.prune-unscoped`,
      adapter,
      bug: "pruneHistory() finds the cut-off version over every record's history, not the one pruned",
      entry,
      patches: [
        sql(
          "`(SELECT version FROM ${t.history} WHERE bot_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)`,",
          "`(SELECT version FROM ${t.history} WHERE ? IS NOT NULL ORDER BY version DESC LIMIT 1 OFFSET ?)`,",
        ),
      ],
      caughtBy: ["history.prune-scoped"],
    },
    {
      id: `${prefix}.no-lookahead-row`,
      adapter,
      bug: "list() reads exactly `limit` rows, so it never knows another page follows: no cursor, the walk stops",
      entry,
      patches: [sql("[...params, limit + 1]);", "[...params, limit]);")],
      caughtBy: ["list.pages", "list.past-one-page"],
    },
    {
      id: `${prefix}.clear-one-batch`,
      adapter,
      bug: "clear() deletes in one batch of 1,000 rows (to stay under D1's limits) and stops there",
      entry,
      patches: [
        sql(
          "clear: `DELETE FROM ${t.records} RETURNING bot_id`,",
          "clear: `DELETE FROM ${t.records} WHERE bot_id IN (SELECT bot_id FROM ${t.records} ORDER BY bot_id LIMIT 1000) RETURNING bot_id`,",
        ),
      ],
      caughtBy: ["list.past-one-page"],
    },
    {
      id: `${prefix}.list-cached`,
      adapter,
      bug: "list() caches its rows per instance and drops them on its own writes only: another isolate's or process's writes show in get, not in list",
      entry,
      patches: [
        sql(
          "const rows = await this.#all<Row>((s) => s.list(where), [...params, limit + 1]);",
          "const rows = await cached(this, `${where} ${JSON.stringify(params)} ${limit}`, () =>\n      this.#all<Row>((s) => s.list(where), [...params, limit + 1]),\n    );",
        ),
        sql(
          "  async #run(pick: (s: Statements) => string, params: unknown[]): Promise<number> {\n",
          "  async #run(pick: (s: Statements) => string, params: unknown[]): Promise<number> {\n    listCache.delete(this);\n",
        ),
        sql(
          "  async clear(): Promise<string[]> {\n",
          "  async clear(): Promise<string[]> {\n    listCache.delete(this);\n",
        ),
        sql("function read(row: Row)", `${LIST_CACHE}\nfunction read(row: Row)`),
      ],
      caughtBy: ["reopen.sees-writes"],
    },
  ];
}

/** Every mutant of the kit. */
export const SOURCE_MUTANTS: SourceMutant[] = [
  // ── Workers KV ──────────────────────────────────────────────────────────────────────────
  {
    id: "kv.clear-first-page",
    adapter: "KV",
    bug: "clear() deletes the records of the first listing page only (one KV list call, 1,000 keys)",
    ...one(
      KV,
      "const ids = (await this.#io.listAll(prefix)).map((k) => k.name.slice(prefix.length));",
      "const ids = (await this.#io.list(prefix)).keys.map((k) => k.name.slice(prefix.length));",
    ),
    caughtBy: ["list.past-one-page"],
  },
  {
    id: "kv.delete-keeps-access",
    adapter: "KV",
    bug: "delete() leaves the access-time key a/<id>: a record created again with the id inherits it",
    ...one(
      KV,
      '      this.#key("r", id),\n      this.#key("a", id),\n',
      '      this.#key("r", id),\n',
    ),
    caughtBy: ["delete.leaves-nothing"],
  },
  {
    id: "kv.delete-history-prefix",
    adapter: "KV",
    bug: "delete() lists history under h/<id> without the slash: deleting 'a' deletes the history of 'ab'",
    ...one(
      KV,
      '...(await this.#io.listAll(`${this.#key("h", id)}/`)).map((k) => k.name),',
      '...(await this.#io.listAll(`${this.#key("h", id)}`)).map((k) => k.name),',
    ),
    caughtBy: ["ids.prefix"],
  },
  {
    id: "kv.prune-prefix",
    adapter: "KV",
    bug: "pruneHistory() lists h/<id> without the slash: pruning 'a' prunes 'ab' too",
    ...one(
      KV,
      'const keys = await this.#io.listAll(`${this.#key("h", botId)}/`);',
      'const keys = await this.#io.listAll(`${this.#key("h", botId)}`);',
    ),
    caughtBy: ["ids.prefix"],
  },
  {
    id: "kv.put-on-missing",
    adapter: "KV",
    bug: "put() checks the version only when a record exists: a version condition on a missing or deleted record writes",
    ...one(
      KV,
      "if ((current?.v ?? null) !== expectedVersion) return false;",
      "if (current !== null && current.v !== expectedVersion) return false;",
    ),
    caughtBy: ["put.missing-or-deleted", "put.compare-and-set"],
  },
  {
    id: "kv.touch-any-version",
    adapter: "KV",
    bug: "a read merges the access key a/<id> without checking its version: a touch of version 1 shows on version 2, over the access time version 2 was written with",
    ...one(
      KV,
      "if (access.v === record.version) record.last_accessed_at = access.at;",
      "record.last_accessed_at = access.at;",
    ),
    caughtBy: ["touch.put-own-access"],
  },
  {
    id: "kv.list-cached",
    adapter: "KV",
    bug: "list() caches key pages per instance and drops them on its own writes only: another isolate's writes show in get, not in list",
    entry: KV,
    patches: [
      {
        file: KV,
        find: "const page = await this.#io.list(prefix, { limit, cursor: options.cursor });\n    // A record deleted",
        replace:
          'const page = await cached(this, `${limit}/${options.cursor ?? ""}`, () =>\n      this.#io.list(prefix, { limit, cursor: options.cursor }),\n    );\n    // A record deleted',
      },
      {
        file: KV,
        find: "        await this.#io.write(recordKey, value, meta);\n",
        replace:
          "        await this.#io.write(recordKey, value, meta);\n        listCache.delete(this);\n",
      },
      {
        file: KV,
        find: "  async #remove(id: string): Promise<void> {\n",
        replace: "  async #remove(id: string): Promise<void> {\n    listCache.delete(this);\n",
      },
      {
        file: KV,
        find: "    await this.#tombstone();\n    return ids;",
        replace: "    listCache.delete(this);\n    await this.#tombstone();\n    return ids;",
      },
      {
        file: KV,
        find: "function parse(text: string)",
        replace: `${LIST_CACHE}\nfunction parse(text: string)`,
      },
    ],
    caughtBy: ["reopen.sees-writes"],
  },
  // ── D1 and SQLite (their statements are one file: SqlRecordStore) ────────────────────
  ...sqlMutants("d1", "D1", D1),
  ...sqlMutants("sqlite", "SQLite record store", SQLITE),
  {
    id: "d1.max-value-unchecked",
    adapter: "D1",
    bug: "D1's value-size limit is declared in its capabilities but not handed to the checks: a config over it goes to D1, which fails it as an adapter error (or stores it)",
    ...one(
      D1,
      'super({ name: "d1", maxValueBytes: D1_MAX_VALUE_BYTES });',
      'super({ name: "d1" });\n    this.capabilities.maxValueBytes = D1_MAX_VALUE_BYTES;',
    ),
    caughtBy: ["put.max-value-bytes"],
  },
  {
    id: "sqlite.migrate-some",
    adapter: "SQLite record store",
    bug: "the migrations' fast path returns when some migration was applied, not every one: a database an older release left (only the first migration) is never upgraded",
    ...one(
      SQLITE,
      "if (migrations.every((m) => applied().has(m.name))) return;",
      "if (migrations.some((m) => applied().has(m.name))) return;",
    ),
    caughtBy: ["upgrade.older-storage"],
  },
  {
    id: "sqlite.close-given",
    adapter: "SQLite record store",
    bug: "close() closes a database the caller gave in (it must close only what it opened): other stores on that connection break",
    ...one(SQLITE, "this.#db = database === undefined ? db : null;", "this.#db = db;"),
    caughtBy: ["close.leaves-other-instances"],
  },
  // ── S3 ──────────────────────────────────────────────────────────────────────────────────
  {
    id: "s3.range-size",
    adapter: "S3",
    bug: "a ranged get reports the range's length as the object's size",
    ...one(
      S3,
      "const size = res.status === 206 && total !== undefined ? Number(total) : length;",
      "const size = length;",
    ),
    caughtBy: ["get.range-size"],
  },
  // ── PostgreSQL event bus ────────────────────────────────────────────────────────────────
  {
    id: "postgres-bus.size-in-utf16",
    adapter: "PostgreSQL event bus",
    bug: "an event's size is checked as its UTF-16 length, not its UTF-8 bytes: an event of many non-ASCII characters passes the check and PostgreSQL's NOTIFY limit fails it",
    entry: PG_BUS,
    patches: [
      {
        file: "src/core/events/wire.ts",
        find: "const bytes = encoder.encode(json).byteLength;",
        replace: "const bytes = json.length;",
      },
    ],
    caughtBy: ["publish.too-large-utf8"],
  },
  {
    id: "postgres-bus.resume-from-now",
    adapter: "PostgreSQL event bus",
    bug: "a reconnection reads on from the table's last id as it is now, not from the last event delivered: what was published while the connection was down is lost",
    entry: PG_BUS,
    patches: [
      {
        file: "src/adapters/postgres/postgres-event-bus-listener.ts",
        find: "      if (!resumed) this.#cursor = at.last;\n      else {",
        replace: "      this.#cursor = at.last;\n      if (resumed) {",
      },
    ],
    caughtBy: ["resume.short-disconnect"],
  },
  // ── Redis event bus ─────────────────────────────────────────────────────────────────────
  {
    id: "redis-bus.resume-from-now",
    adapter: "Redis event bus",
    bug: "a reconnection reads the stream from its end as it is now, not from the last id delivered: what was published while the connection was down is lost",
    ...one(
      REDIS_BUS,
      "          if (!resumed) position = at.last;\n          else {",
      "          position = at.last;\n          if (resumed) {",
    ),
    caughtBy: ["resume.short-disconnect"],
  },
  // ── R2 ──────────────────────────────────────────────────────────────────────────────────
  {
    id: "r2.delete-first-batch",
    adapter: "R2",
    bug: "delete() sends the first batch of 1,000 keys only",
    ...one(
      R2,
      "for (let i = 0; i < all.length; i += R2_MAX_KEYS_PER_CALL) {",
      "for (let i = 0; i < Math.min(all.length, 1); i += R2_MAX_KEYS_PER_CALL) {",
    ),
    caughtBy: ["list.past-one-page"],
  },
  {
    id: "r2.list-without-metadata",
    adapter: "R2",
    bug: "list() does not ask R2 for httpMetadata: listed objects have no content type",
    ...one(R2, '        include: ["httpMetadata"],\n', ""),
    caughtBy: ["content-type.every-read"],
  },
  {
    id: "r2.range-at-end-throws",
    adapter: "R2",
    bug: "a ranged get starting at the end passes R2's refusal on instead of answering an empty body",
    ...one(
      R2,
      "        const empty = await this.#emptyAt(key, range.offset, false);\n        if (empty === undefined) throw error;\n        return empty;",
      "        throw error;",
    ),
    caughtBy: ["get.range-end"],
  },
  {
    id: "r2.if-match-missing",
    adapter: "R2",
    bug: "an etag condition on a key R2 does not have is dropped, so the put writes",
    ...one(
      R2,
      '          : { etagMatches: options.ifMatch.replace(/^"|"$/g, "") };',
      '          : (await this.#bucket.head(key)) === null\n            ? undefined\n            : { etagMatches: options.ifMatch.replace(/^"|"$/g, "") };',
    ),
    caughtBy: ["put.if-match-missing"],
  },
  {
    id: "r2.etag-size-and-second",
    adapter: "R2",
    bug: "the etag is the size and the upload second: rewrites of the same size within a second repeat it",
    ...one(
      R2,
      "    etag: object.etag,",
      "    etag: `${object.size}-${Math.floor(object.uploaded.getTime() / 1000)}`,",
    ),
    caughtBy: ["put.etag-rewrites"],
  },
  ...FS_MUTANTS,
  {
    id: "r2.list-cached",
    adapter: "R2",
    bug: "list() caches R2's pages per instance and drops them on its own writes only: another isolate's writes show in head and get, not in list",
    entry: R2,
    patches: [
      {
        file: R2,
        find: "  async list(options: BlobListOptions = {}): Promise<BlobList> {\n",
        replace:
          "  list(options: BlobListOptions = {}): Promise<BlobList> {\n    return cached(this, JSON.stringify(options), () => this.#list(options));\n  }\n\n  async #list(options: BlobListOptions): Promise<BlobList> {\n",
      },
      {
        file: R2,
        find: "    checkKey(key);\n    checkDeclaredSize(options);\n",
        replace:
          "    checkKey(key);\n    checkDeclaredSize(options);\n    listCache.delete(this);\n",
      },
      {
        file: R2,
        find: "    for (const key of all) checkKey(key);\n",
        replace: "    for (const key of all) checkKey(key);\n    listCache.delete(this);\n",
      },
      {
        file: R2,
        find: "function wrap(what: string, error: unknown)",
        replace: `${LIST_CACHE}\nfunction wrap(what: string, error: unknown)`,
      },
    ],
    caughtBy: ["reopen.sees-writes"],
  },
  // ── Durable Object hub ──────────────────────────────────────────────────────────────────
  {
    id: "hub.replay-every-topic",
    adapter: "Durable Object hub",
    bug: "a resume replays every missed event, not only those of the subscriber's topics",
    ...one(
      HUB,
      '      if (globs.some((g) => matchTopic(g, entry.event.topic)))\n        this.#send(socket, { kind: "event", event: entry.event });',
      '      this.#send(socket, { kind: "event", event: entry.event });',
    ),
    caughtBy: ["resume.short-disconnect"],
  },
  {
    id: "hub.seq-from-count",
    adapter: "Durable Object hub",
    bug: "after a restart the next sequence number is the window's length: once trimmed, new events overwrite stored ones",
    ...one(
      HUB,
      "this.#seq = last ? Number(last.key.slice(KEY_PREFIX.length)) + 1 : 0;",
      "this.#seq = last ? this.#window.length : 0;",
    ),
    caughtBy: ["resume.after-restart"],
  },
  {
    id: "hub.resume-sends-nothing",
    adapter: "Durable Object hub",
    bug: "a resume finds the last event id but sends none of the events after it",
    ...one(
      HUB,
      "for (const entry of this.#window.slice(i + 1))",
      "for (const entry of this.#window.slice(this.#window.length))",
    ),
    caughtBy: ["resume.short-disconnect"],
  },
  // ── Durable Object event bus (the hub's client) ────────────────────────────────────────
  {
    id: "hub-bus.resume-without-id",
    adapter: "Durable Object event bus",
    bug: "a reconnection to the hub does not name the last event heard: the hub cannot replay, and what was missed is lost",
    entry: "src/adapters/durable-object/durable-object-event-bus.ts",
    patches: [
      {
        file: "src/core/events/ws-bus.ts",
        find: "this.streamUrl(topics, lastEventId)",
        replace: "this.streamUrl(topics, undefined)",
      },
    ],
    caughtBy: ["resume.short-disconnect"],
  },
  ...CORE_MUTANTS,
  ...BROWSER_MUTANTS,
];

/** Mutants whose adapter runs only inside workerd (its binding is there). */
export const WORKERD_ADAPTERS: readonly MutantAdapter[] = [
  "D1",
  "KV",
  "R2",
  "Durable Object hub",
  "Durable Object event bus",
];

/** Mutants whose adapter runs only inside Chromium (IndexedDB, BroadcastChannel). */
export const BROWSER_ADAPTERS: readonly MutantAdapter[] = [
  "IndexedDB record store",
  "IndexedDB blob store",
  "BroadcastChannel event bus",
];
