/**
 * The source mutants of the `botknobs/fs` adapters (the file record store and its fenced journal,
 * the file blob store, the file event bus): realistic mistakes patched into their files.
 * `source-mutants.ts` joins them to the kit.
 */
import { LIST_CACHE, one, type SourceMutant } from "./source-mutant-shape.ts";

const FS = "src/adapters/fs";
const FS_RECORDS = `${FS}/fs-record-store.ts`;
const FS_BLOBS = `${FS}/fs-blob-store.ts`;
const BUS = `${FS}/fs-event-bus.ts`;
const TAIL = `${FS}/fs-event-tail.ts`;
const WRITER = `${FS}/fs-event-writer.ts`;
const LOG = `${FS}/fs-event-log.ts`;
const REPLICA = `${FS}/fs-journal-replica.ts`;
const COMPACT = `${FS}/fs-journal-compact.ts`;
const LOAD = `${FS}/fs-journal-load.ts`;
const REPAIR = `${FS}/fs-journal-repair.ts`;

/** The mutants of the file adapters. */
export const FS_MUTANTS: SourceMutant[] = [
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
    id: "fs-records.revision-stale",
    adapter: "file record store",
    bug: "revision() answers from the replayed journal without reading what other processes appended: it moves only after some other read",
    ...one(
      FS_RECORDS,
      "    const table = await this.#fresh();\n    return `${this.#replica.store.slice(0, 8)}-${table.changes}`;",
      "    if (!this.#ready.ready) await this.initialize();\n    const table = this.#replica.table;\n    return `${this.#replica.store.slice(0, 8)}-${table.changes}`;",
    ),
    caughtBy: ["reopen.revision"],
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
  {
    id: "fs-records.lease-from-birth",
    adapter: "file record store",
    bug: "a lock's lease is read from the lock file's birth time, not its last renewal (mtime): another process's long write, its lock renewed all along, is taken for stale and broken",
    entry: FS_RECORDS,
    patches: [
      {
        file: `${FS}/fs-lock.ts`,
        find: "return { owner: JSON.parse(text) as Owner, renewedAt: info.mtimeMs };",
        replace: "return { owner: JSON.parse(text) as Owner, renewedAt: info.birthtimeMs };",
      },
    ],
    caughtBy: ["lease.long-write"],
  },
  // ── the fenced journal of the file record store ─────────────────────────────────────────
  {
    id: "fs-records.torn-unmarked",
    adapter: "file record store",
    bug: "the writer closes a torn line off with a newline but does not mark its own line `torn`: the torn bytes read as damage",
    entry: FS_RECORDS,
    patches: [
      {
        file: REPLICA,
        find: "const line = opLine(op, torn === undefined ? { n, w } : { n, w, torn });",
        replace: "const line = opLine(op, { n, w });",
      },
    ],
    caughtBy: ["crash.torn-write"],
  },
  {
    id: "fs-records.compact-touch-oldest",
    adapter: "file record store",
    bug: "compaction folds a record's last access onto its oldest kept version, not its current one: reloaded, the access is gone",
    entry: FS_RECORDS,
    patches: [
      {
        file: COMPACT,
        find: "const version = versions[versions.length - 1]?.version as number;",
        replace: "const version = versions[0]?.version as number;",
      },
    ],
    caughtBy: ["reopen.after-churn"],
  },
  {
    id: "fs-records.compact-revision-reset",
    adapter: "file record store",
    bug: "compaction starts the new file's revision counter at 0: another process then reports a revision seen before",
    entry: FS_RECORDS,
    patches: [
      {
        file: COMPACT,
        find: "const header = newHeader(replica.store, n, replica.table.changes, format, next);",
        replace: "const header = newHeader(replica.store, n, 0, format, next);",
      },
    ],
    caughtBy: ["reopen.after-churn"],
  },
  {
    id: "fs-records.compact-refs-stale",
    adapter: "file record store",
    bug: "after compacting, the writer keeps its old versions' line positions in the old file: its history reads the wrong lines",
    entry: FS_RECORDS,
    patches: [
      {
        file: COMPACT,
        find: "    for (const [ref, at, len, line] of built.moves) {\n      ref.at = at;\n      ref.len = len;\n      ref.line = line;\n    }\n",
        replace: "",
      },
    ],
    caughtBy: ["reopen.after-churn"],
  },
  {
    id: "fs-records.index-drops-access",
    adapter: "file record store",
    bug: "a restart from the journal's index (written every 1,000 lines) forgets each record's last access",
    entry: FS_RECORDS,
    through: [REPLICA],
    patches: [
      {
        file: LOAD,
        find: "    if (touchedAt !== null && current !== undefined) table.touch(botId, touchedAt, current);\n",
        replace: "",
      },
    ],
    caughtBy: ["reopen.many-records"],
  },
  {
    id: "fs-records.repair-drops-last-line",
    adapter: "file record store",
    bug: "the repair reads the journal up to its last byte but one: the last complete line is set aside as torn, and its write lost",
    ...one(
      REPAIR,
      "for await (const { bytes, at } of readLines(source, 0, size)) {",
      "for await (const { bytes, at } of readLines(source, 0, size - 1)) {",
    ),
    caughtBy: ["crash.repair-keeps-writes"],
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
    id: "fs-blobs.delete-keeps-dirs",
    adapter: "file blob store",
    bug: "delete no longer removes the folders it empties: a later put of the folder's own key is in the way",
    ...one(FS_BLOBS, "      await this.#pruneDirs(dirname(path));\n", ""),
    caughtBy: ["delete.prefix-then-key"],
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
  {
    id: "fs-blobs.etag-size-and-ms",
    adapter: "file blob store",
    bug: "the etag is the size and the mtime in ms: same-size versions written in one clock tick share it",
    ...one(
      FS_BLOBS,
      "etag: `${s.ino.toString(36)}-${s.size.toString(36)}-${s.mtimeNs.toString(36)}`,",
      "etag: `${s.size}-${s.mtimeMs}`,",
    ),
    caughtBy: ["put.etag-same-instant"],
  },
  {
    id: "fs-blobs.list-cached",
    adapter: "file blob store",
    bug: "list() caches its pages per instance and drops them on its own writes only: another process's writes show in head and get, not in list",
    entry: FS_BLOBS,
    patches: [
      {
        file: FS_BLOBS,
        find: "  async list(options: BlobListOptions = {}): Promise<BlobList> {\n",
        replace:
          "  list(options: BlobListOptions = {}): Promise<BlobList> {\n    return cached(this, JSON.stringify(options), () => this.#list(options));\n  }\n\n  async #list(options: BlobListOptions): Promise<BlobList> {\n",
      },
      {
        file: FS_BLOBS,
        find: "    checkDeclaredSize(options);\n",
        replace: "    checkDeclaredSize(options);\n    listCache.delete(this);\n",
      },
      {
        file: FS_BLOBS,
        find: "  async delete(keys: string | string[]): Promise<void> {\n",
        replace:
          "  async delete(keys: string | string[]): Promise<void> {\n    listCache.delete(this);\n",
      },
      {
        file: FS_BLOBS,
        find: "function codeOf(error: unknown)",
        replace: `${LIST_CACHE}\nfunction codeOf(error: unknown)`,
      },
    ],
    caughtBy: ["reopen.sees-writes"],
  },
  // ── file event bus ──────────────────────────────────────────────────────────────────────
  {
    id: "fs-events.tail-from-start",
    adapter: "file event bus",
    bug: "a bus starts reading each other writer's current segment from its beginning: a new peer hears what was published before it connected",
    entry: BUS,
    through: [TAIL],
    patches: [
      {
        file: TAIL,
        find: "this.#cursors.set(writer, { seq, handle, offset: size, size, resync: size > 0 });",
        replace: "this.#cursors.set(writer, { seq, handle, offset: 0, size: 0, resync: false });",
      },
    ],
    caughtBy: ["distributed.from-connect", "distributed.late-peer"],
  },
  {
    id: "fs-events.subscribe-no-wait",
    adapter: "file event bus",
    bug: "subscribe() starts the tail without waiting for it: a bus never connected notes where the others' logs end only after the next event was appended, and misses it",
    ...one(
      BUS,
      "    await this.connect();\n    return this.#table.add(topic, handler, options.pattern ?? null);",
      "    void this.connect();\n    return this.#table.add(topic, handler, options.pattern ?? null);",
    ),
    caughtBy: ["distributed.subscribe-connects"],
  },
  {
    id: "fs-events.resync-skips-line",
    adapter: "file event bus",
    bug: "a bus that started mid-segment looks for the end of a partial line from where it stood, not one byte before: it drops the first whole line after its start",
    entry: BUS,
    patches: [
      {
        file: TAIL,
        find: "const from = cursor.resync ? cursor.offset - 1 : cursor.offset;",
        replace: "const from = cursor.offset;",
      },
    ],
    caughtBy: ["distributed.from-connect"],
  },
  {
    id: "fs-events.prune-fresh",
    adapter: "file event bus",
    bug: "the age check of old segments is inverted: a bus removes the live segments of the others and keeps those of processes long gone",
    entry: BUS,
    through: [TAIL, WRITER],
    patches: [
      {
        file: LOG,
        find: "if (s && s.mtimeMs < cutoff) await unlink(path).catch(() => {});",
        replace: "if (s && s.mtimeMs > cutoff) await unlink(path).catch(() => {});",
      },
    ],
    caughtBy: ["distributed.from-connect"],
  },
  {
    id: "fs-events.rotation-keeps-offset",
    adapter: "file event bus",
    bug: "a bus moving on to a writer's next segment keeps its offset in the previous one: the next segment's first lines are skipped",
    entry: BUS,
    patches: [
      {
        file: TAIL,
        find: "Object.assign(cursor, { seq: later, handle: null, offset: 0, size: 0, resync: false });",
        replace: "Object.assign(cursor, { seq: later, handle: null, size: 0, resync: false });",
      },
    ],
    caughtBy: ["distributed.large"],
  },
  {
    id: "fs-events.size-not-reset",
    adapter: "file event bus",
    bug: "a writer does not reset its byte count in a new segment: after the first rotation each event rotates again, removing segments readers still need",
    entry: BUS,
    patches: [
      {
        file: WRITER,
        find: "    this.#size = 0;\n    this.#handle = handle;\n",
        replace: "    this.#handle = handle;\n",
      },
    ],
    caughtBy: ["distributed.large"],
  },
  {
    id: "fs-events.hears-itself",
    adapter: "file event bus",
    bug: "a bus tails its own segments as another writer's: it hears its own events a second time",
    entry: BUS,
    patches: [
      {
        file: TAIL,
        find: "if (writer === this.#o.self || this.#stopped) continue;",
        replace: "if (this.#stopped) continue;",
      },
    ],
    caughtBy: ["distributed.once"],
  },
  {
    id: "fs-events.line-own-topic",
    adapter: "file event bus",
    bug: "the log line names the event's own topic, not the one it was published to: peers route a forwarded event by the wrong field",
    ...one(
      BUS,
      'const line = publishBody(topic, event, this.capabilities.maxEventBytes as number, "\\n");',
      'const line = publishBody(event.topic, event, this.capabilities.maxEventBytes as number, "\\n");',
    ),
    caughtBy: ["distributed.topic"],
  },
];
