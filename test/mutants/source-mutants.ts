/**
 * The adapters' source mutants: each is one realistic mistake an adapter author could make, put
 * into the adapter's own source by a text patch (`patch.ts` applies it), with the conformance
 * cases that must catch it. `adapter-mutants.test.ts` (Node) and
 * `test/workerd/adapter-mutants.test.ts` run each against its port's suites; `npm run mutants`
 * prints what they caught per adapter.
 */

/** One text replacement in one file (`find` must occur there exactly once). */
export interface Patch {
  /** From the repository root. */
  file: string;
  find: string;
  replace: string;
}

/** The adapters of the kit, as `npm run mutants` groups them. */
export type MutantAdapter =
  | "D1"
  | "KV"
  | "R2"
  | "file record store"
  | "file blob store"
  | "persisted search index"
  | "Durable Object hub"
  | "memory blob store";

/** One mutant. */
export interface SourceMutant {
  /** Stable id, `<adapter>.<mistake>`; tests import it as `mutant:<id>`. */
  id: string;
  adapter: MutantAdapter;
  /** The mistake, in a sentence. */
  bug: string;
  /** The module a test imports (patched, with imports of the other patched files pointed at theirs). */
  entry: string;
  patches: Patch[];
  /** Conformance case ids (the part of a case name before " - ") that must fail. */
  caughtBy: string[];
}

const KV = "src/adapters/kv/kv-record-store.ts";
const D1 = "src/adapters/d1/d1-record-store.ts";
const R2 = "src/adapters/r2/r2-blob-store.ts";
const FS_RECORDS = "src/adapters/fs/fs-record-store.ts";
const FS_BLOBS = "src/adapters/fs/fs-blob-store.ts";
const INDEX = "src/core/knowledge/index/blob-search-index.ts";
const HUB = "src/adapters/durable-object/durable-object-hub.ts";
const MEMORY_BLOBS = "src/core/blob/memory-blob-store.ts";

/** One patch of `file`, as the single change of a mutant. */
const one = (
  file: string,
  find: string,
  replace: string,
): Pick<SourceMutant, "entry" | "patches"> => ({
  entry: file,
  patches: [{ file, find, replace }],
});

/** A cache of list results per instance, dropped only on this instance's own writes. */
const LIST_CACHE = `
const listCache = new WeakMap<object, Map<string, unknown>>();
async function cached<T>(of: object, key: string, load: () => Promise<T>): Promise<T> {
  const pages = listCache.get(of) ?? new Map<string, unknown>();
  listCache.set(of, pages);
  if (!pages.has(key)) pages.set(key, await load());
  return pages.get(key) as T;
}
`;

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
  // ── D1 ──────────────────────────────────────────────────────────────────────────────────
  {
    id: "d1.prune-unscoped",
    adapter: "D1",
    bug: "pruneHistory() finds the cut-off version over every record's history, not the one pruned",
    ...one(
      D1,
      '"(SELECT version FROM botknobs_history WHERE bot_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)",',
      '"(SELECT version FROM botknobs_history WHERE ? IS NOT NULL ORDER BY version DESC LIMIT 1 OFFSET ?)",',
    ),
    caughtBy: ["history.prune-scoped"],
  },
  {
    id: "d1.no-lookahead-row",
    adapter: "D1",
    bug: "list() reads exactly `limit` rows, so it never knows another page follows: no cursor, the walk stops",
    ...one(D1, "[...params, limit + 1],", "[...params, limit],"),
    caughtBy: ["list.pages", "list.past-one-page"],
  },
  {
    id: "d1.clear-one-batch",
    adapter: "D1",
    bug: "clear() deletes in one batch of 1,000 rows (to stay under D1's limits) and stops there",
    ...one(
      D1,
      '"DELETE FROM botknobs_records RETURNING bot_id",',
      '"DELETE FROM botknobs_records WHERE bot_id IN (SELECT bot_id FROM botknobs_records ORDER BY bot_id LIMIT 1000) RETURNING bot_id",',
    ),
    caughtBy: ["list.past-one-page"],
  },
  {
    id: "d1.list-cached",
    adapter: "D1",
    bug: "list() caches its rows per instance and drops them on its own writes only: another isolate's writes show in get, not in list",
    entry: D1,
    patches: [
      {
        file: D1,
        find: "    const rows = await this.#all<Row>(\n      `SELECT ${COLUMNS} FROM botknobs_records${where} ORDER BY bot_id LIMIT ?`,\n      [...params, limit + 1],\n    );",
        replace:
          "    const rows = await cached(this, `${where} ${JSON.stringify(params)} ${limit}`, () =>\n      this.#all<Row>(\n        `SELECT ${COLUMNS} FROM botknobs_records${where} ORDER BY bot_id LIMIT ?`,\n        [...params, limit + 1],\n      ),\n    );",
      },
      {
        file: D1,
        find: "  async #run(sql: string, params: unknown[]): Promise<{ meta: { changes: number } }> {\n",
        replace:
          "  async #run(sql: string, params: unknown[]): Promise<{ meta: { changes: number } }> {\n    listCache.delete(this);\n",
      },
      {
        file: D1,
        find: "  async clear(): Promise<string[]> {\n",
        replace: "  async clear(): Promise<string[]> {\n    listCache.delete(this);\n",
      },
      {
        file: D1,
        find: "function read(row: Row)",
        replace: `${LIST_CACHE}\nfunction read(row: Row)`,
      },
    ],
    caughtBy: ["reopen.sees-writes"],
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
  // ── file record store ───────────────────────────────────────────────────────────────────
  {
    id: "fs-records.list-stale",
    adapter: "file record store",
    bug: "list() answers from the replayed journal without reading what other processes appended",
    ...one(
      FS_RECORDS,
      "return (await this.#fresh()).list(options);",
      "if (!this.#ready.ready) await this.initialize();\n    return this.#replica.table.list(options);",
    ),
    caughtBy: ["reopen.sees-writes", "list.where-second-instance"],
  },
  {
    id: "fs-records.history-stale",
    adapter: "file record store",
    bug: "history() pages the replayed journal before reading what other processes appended",
    ...one(
      FS_RECORDS,
      "return this.#withFile(false, async (file) => {\n      const page = this.#replica.table.keptPage(botId, options);",
      "const stale = this.#replica.table.keptPage(botId, options);\n    return this.#withFile(false, async (file) => {\n      const page = stale;",
    ),
    caughtBy: ["reopen.sees-writes"],
  },
  {
    id: "fs-records.clear-first-page",
    adapter: "file record store",
    bug: "clear() collects the ids it returns from the first page of 1,000 only",
    ...one(
      FS_RECORDS,
      "  } while (cursor !== undefined);\n  return ids;",
      "  } while (false);\n  return ids;",
    ),
    caughtBy: ["list.past-one-page"],
  },
  {
    id: "fs-records.torn-tail-kept",
    adapter: "file record store",
    bug: "the next writer appends right after a torn last line instead of closing it off: its own line is unreadable",
    entry: FS_RECORDS,
    patches: [
      {
        file: "src/adapters/fs/fs-journal-replica.ts",
        find: "const torn = this.#size > this.#offset ? this.#size - this.#offset : undefined;",
        replace: "const torn = undefined as number | undefined;",
      },
    ],
    caughtBy: ["crash.torn-write"],
  },
  // ── file blob store ─────────────────────────────────────────────────────────────────────
  {
    id: "fs-blobs.etag-size-and-second",
    adapter: "file blob store",
    bug: "the etag is the size and the mtime's second: rewrites of the same size within a second repeat it",
    ...one(
      FS_BLOBS,
      "etag: `${s.ino.toString(36)}-${s.size.toString(36)}-${s.mtimeNs.toString(36)}`,",
      "etag: `${s.size.toString(36)}-${(s.mtimeNs / 1_000_000_000n).toString(36)}`,",
    ),
    caughtBy: ["put.etag-rewrites"],
  },
  {
    id: "fs-blobs.if-match-missing",
    adapter: "file blob store",
    bug: "the etag check passes when the key is missing, so a conditional put on a deleted key writes",
    ...one(
      FS_BLOBS,
      "if ((current?.etag ?? null) !== ifMatch) return null;",
      "if (current !== null && current.etag !== ifMatch) return null;",
    ),
    caughtBy: ["put.if-match-missing"],
  },
  {
    id: "fs-blobs.range-one-byte-long",
    adapter: "file blob store",
    bug: "a ranged read's end is inclusive of one byte too many",
    ...one(
      FS_BLOBS,
      "const end = length === undefined ? undefined : offset + length - 1;",
      "const end = length === undefined ? undefined : offset + length;",
    ),
    caughtBy: ["get.range"],
  },
  // ── persisted search index ──────────────────────────────────────────────────────────────
  {
    id: "index.remove-only-not-persisted",
    adapter: "persisted search index",
    bug: "a commit that puts no chunks (it only removes files) writes no segment: a reopen brings the files back",
    ...one(
      INDEX,
      "if (this.store) await this.#persist(loaded, stage);",
      "if (this.store && stage.chunkCount() > 0) await this.#persist(loaded, stage);",
    ),
    caughtBy: ["persistent.remove-only"],
  },
  {
    id: "index.remove-by-domain-prefix",
    adapter: "persisted search index",
    bug: "remove() deletes every stored object under the domain id's characters: other generations and domains that start alike go too",
    ...one(
      INDEX,
      "        const page = await this.store.list({\n          prefix: this.indexPrefix(scope),\n          ...(cursor ? { cursor } : {}),\n        });\n        keys.push(",
      "        const page = await this.store.list({\n          prefix: `${this.prefix}${scope.domainId}`,\n          ...(cursor ? { cursor } : {}),\n        });\n        keys.push(",
    ),
    caughtBy: ["scopes.prefix"],
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
  // ── memory blob store ───────────────────────────────────────────────────────────────────
  {
    id: "memory-blobs.list-without-type",
    adapter: "memory blob store",
    bug: "list() hands out objects without their content type",
    ...one(
      MEMORY_BLOBS,
      "const objects = page.keys.map((k) => ({ ...(this.#objects.get(k) as Stored).meta }));",
      "const objects = page.keys.map((k) => ({ ...(this.#objects.get(k) as Stored).meta, contentType: null }));",
    ),
    caughtBy: ["content-type.every-read"],
  },
  {
    id: "memory-blobs.if-match-missing",
    adapter: "memory blob store",
    bug: "the etag check passes when the key is missing, so a conditional put on a deleted key writes",
    ...one(
      MEMORY_BLOBS,
      "if (options.ifMatch !== undefined && (current?.meta.etag ?? null) !== options.ifMatch)",
      "if (options.ifMatch !== undefined && current !== undefined && current.meta.etag !== options.ifMatch)",
    ),
    caughtBy: ["put.if-match-missing"],
  },
];

/** Mutants whose adapter runs only inside workerd (its binding is there). */
export const WORKERD_ADAPTERS: readonly MutantAdapter[] = ["D1", "KV", "R2", "Durable Object hub"];
