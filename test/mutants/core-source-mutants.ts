/**
 * The source mutants of the core's own adapters (the memory blob store, the memory and SSE event
 * buses, the search index persisted in a blob store, the record store over a blob store):
 * realistic mistakes patched into their files. `source-mutants.ts` joins them to the kit.
 */
import { one, type SourceMutant } from "./source-mutant-shape.ts";

const INDEX = "src/core/knowledge/index/blob-search-index.ts";
const MEMORY_BLOBS = "src/core/blob/memory-blob-store.ts";
const BLOB_RECORDS = "src/core/registry/blob-record-store.ts";
const EVENTS = "src/core/events";
const MEMORY_BUS = `${EVENTS}/memory-bus.ts`;
const SSE_BUS = `${EVENTS}/sse-bus.ts`;
const POLLER = "src/core/reload/poller.ts";
const SQL_SEARCH = "src/core/knowledge/index/sql-search";

/** The mutants of the core's adapters. */
export const CORE_MUTANTS: SourceMutant[] = [
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
      "const keys = await (await this.#io()).keys(this.indexPrefix(scope));",
      "const keys = await (await this.#io()).keys(`${this.prefix}${scope.domainId}`);",
    ),
    caughtBy: ["scopes.prefix"],
  },
  {
    id: "index.sweep-fresh",
    adapter: "persisted search index",
    bug: "sweep() has its age check inverted: it removes the unlisted segments of commits under way and keeps the old leftovers",
    ...one(
      INDEX,
      "(key, uploaded) => !listed.has(key) && uploaded < cutoff,",
      "(key, uploaded) => !listed.has(key) && uploaded > cutoff,",
    ),
    caughtBy: ["sweep.age"],
  },
  {
    id: "index.head-without-if-match",
    adapter: "persisted search index",
    bug: "the head is replaced without its etag condition: of two instances committing at once, the last one's head drops the other's segment",
    ...one(
      INDEX,
      "        ...(store.capabilities.conditionalPut ? { ifMatch: loaded.etag } : {}),\n",
      "",
    ),
    caughtBy: ["persistent.concurrent-commits"],
  },
  {
    id: "index.remove-unloaded-false",
    adapter: "persisted search index",
    bug: "remove() says whether the scope existed from what this instance loaded only: from an instance that never loaded it, it answers false",
    ...one(INDEX, "      existed ||= keys.includes(headKeyOf(this.prefix, scope));\n", ""),
    caughtBy: ["persistent.remove-unloaded"],
  },
  {
    id: "index.refresh-strict",
    adapter: "persisted search index",
    bug: "the refresh check compares with > where >= is needed: with refreshMs 0 and a clock that has not moved, a commit elsewhere is never seen",
    ...one(
      INDEX,
      "this.#now() - loaded.checkedAt >= this.#refreshMs",
      "this.#now() - loaded.checkedAt > this.#refreshMs",
    ),
    caughtBy: ["persistent.refresh-same-instant"],
  },
  {
    id: "index.first-head-unconditional",
    adapter: "persisted search index",
    bug: "the first head of a scope is written without a create-only condition: of two first commits at once, the last one's head drops the other's segment",
    ...one(
      INDEX,
      "...(store.capabilities.conditionalPut ? { ifMatch: loaded.etag } : {}),",
      "...(store.capabilities.conditionalPut && loaded.etag !== null ? { ifMatch: loaded.etag } : {}),",
    ),
    caughtBy: ["persistent.concurrent-first-commits"],
  },
  // ── blob record store ───────────────────────────────────────────────────────────────────
  {
    id: "blob-records.create-unconditional",
    adapter: "blob record store",
    bug: "a create (expectedVersion null) writes the head without a create-only condition: two instances creating one record at once both succeed",
    ...one(
      BLOB_RECORDS,
      "...(this.store.capabilities.conditionalPut ? { ifMatch: head?.etag ?? null } : {}),",
      "...(this.store.capabilities.conditionalPut && head ? { ifMatch: head.etag } : {}),",
    ),
    caughtBy: ["put.create-two-instances"],
  },
  // ── memory blob store ───────────────────────────────────────────────────────────────────
  {
    id: "memory-blobs.put-keeps-buffer",
    adapter: "memory blob store",
    bug: "put() keeps the caller's Uint8Array: the caller changing it afterwards changes the stored object",
    ...one(
      MEMORY_BLOBS,
      "const bytes = body instanceof Uint8Array ? body.slice() : await readAll(body);",
      "const bytes = body instanceof Uint8Array ? body : await readAll(body);",
    ),
    caughtBy: ["put.owns-bytes"],
  },
  {
    id: "memory-blobs.get-shares-bytes",
    adapter: "memory blob store",
    bug: "get() streams views of the stored bytes: a caller changing what it read changes the stored object",
    ...one(MEMORY_BLOBS, "body: bytesToStream(bytes.slice())", "body: bytesToStream(bytes)"),
    caughtBy: ["put.owns-bytes"],
  },
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
  {
    id: "memory-blobs.etag-size-and-ms",
    adapter: "memory blob store",
    bug: "the etag is the size and the time in ms: same-size versions written at once share it",
    ...one(MEMORY_BLOBS, "etag: `m${++this.#counter}`,", "etag: `${bytes.length}-${Date.now()}`,"),
    caughtBy: ["put.etag-same-instant"],
  },
  {
    id: "memory-blobs.delimiter-repeats",
    adapter: "memory blob store",
    bug: "a delimiter listing's cursor stays on the first key of a rolled-up prefix: the next page rolls the same prefix up again",
    entry: MEMORY_BLOBS,
    patches: [
      {
        file: "src/core/blob/list.ts",
        find: "    if (rolled !== null && prefixes.has(rolled)) {\n      last = key;\n      continue;",
        replace: "    if (rolled !== null && prefixes.has(rolled)) {\n      continue;",
      },
    ],
    caughtBy: ["list.delimiter-pages"],
  },
  // ── memory event bus ────────────────────────────────────────────────────────────────────
  {
    id: "memory-events.route-by-event-topic",
    adapter: "memory event bus",
    bug: "publish() routes by the event's own topic, not the one it was published to: a forwarded event reaches the wrong subscribers",
    ...one(
      MEMORY_BUS,
      "await this.#table.dispatch(topic, event, this.#report);",
      "await this.#table.dispatch(event.topic, event, this.#report);",
    ),
    caughtBy: ["publish.topic"],
  },
  {
    id: "memory-events.star-stops-at-colon",
    adapter: "memory event bus",
    bug: "a glob's * matches a run without ':' (one topic segment), not any run as fnmatch does: *bots misses registry:bots",
    entry: MEMORY_BUS,
    through: [`${EVENTS}/subscriptions.ts`],
    patches: [
      {
        file: `${EVENTS}/glob.ts`,
        find: 'if (c === "*") src += "[\\\\s\\\\S]*";',
        replace: 'if (c === "*") src += "[^:]*";',
      },
    ],
    caughtBy: ["subscribe.pattern-any-run"],
  },
  {
    id: "memory-events.dot-unescaped",
    adapter: "memory event bus",
    bug: "a literal '.' in a glob is left unescaped in its RegExp: bots.* matches botsX1",
    entry: MEMORY_BUS,
    through: [`${EVENTS}/subscriptions.ts`],
    patches: [
      {
        file: `${EVENTS}/glob.ts`,
        find: '} else src += c.replace(/[.*+?^${}()|[\\]\\\\/]/g, "\\\\$&");',
        replace: '} else src += c.replace(/[*+?^${}()|[\\]\\\\/]/g, "\\\\$&");',
      },
    ],
    caughtBy: ["subscribe.pattern-dot-literal"],
  },
  // ── SSE event bus ───────────────────────────────────────────────────────────────────────
  {
    id: "sse.decode-per-chunk",
    adapter: "SSE event bus",
    bug: "the stream's chunks are decoded one by one (no `stream: true`): a UTF-8 character split across two chunks turns into replacement characters",
    entry: SSE_BUS,
    patches: [
      {
        file: `${EVENTS}/sse-parser.ts`,
        find: "this.#decoder.decode(chunk, { stream: true })",
        replace: "this.#decoder.decode(chunk)",
      },
    ],
    caughtBy: ["distributed.multibyte", "distributed.large"],
  },
  {
    id: "sse.resume-without-id",
    adapter: "SSE event bus",
    bug: "a reconnection does not name the last event heard: the server cannot replay, and what was missed is lost",
    ...one(SSE_BUS, "this.streamUrl(topics, lastEventId)", "this.streamUrl(topics, undefined)"),
    caughtBy: ["resume.short-disconnect"],
  },
  {
    id: "sse.resume-from-first-id",
    adapter: "SSE event bus",
    bug: "the bus keeps the id of the first event it heard, not the last: a resume replays events heard before the loss again",
    entry: SSE_BUS,
    patches: [
      {
        file: `${EVENTS}/remote-bus.ts`,
        find: "if (isEventId(event.eventId)) this.#lastEventId = event.eventId;",
        replace: "if (isEventId(event.eventId)) this.#lastEventId ??= event.eventId;",
      },
    ],
    caughtBy: ["resume.short-disconnect"],
  },
  // ── registry poller ─────────────────────────────────────────────────────────────────────
  {
    id: "poller.lagging-listing-goes-back",
    adapter: "registry poller",
    bug: "the poller takes each listing as it comes: over an eventually consistent store a lagging replica's listing (version N − 1 after N) is reported as a change back, and N again as a second change",
    ...one(
      POLLER,
      "const next = this.#newest(this.#snapshot, this.#index(await this.backend.listAll()));",
      "const next = this.#index(await this.backend.listAll());",
    ),
    caughtBy: ["poller.monotonic"],
  },
  // ── SQLite search index ─────────────────────────────────────────────────────────────────
  {
    id: "sqlite-search.number-untyped",
    adapter: "SQLite search index",
    bug: "a number in a metadata filter compares the JSON value's atom whatever its type: 1 matches true (its atom is 1), 0 matches false",
    entry: "src/adapters/sqlite/sqlite-search-index.ts",
    through: [`${SQL_SEARCH}-statements.ts`, `${SQL_SEARCH}-index.ts`],
    patches: [
      {
        file: `${SQL_SEARCH}-filter.ts`,
        find: `alternatives.push("(m.type IN ('integer', 'real') AND m.atom = ?)");`,
        replace: `alternatives.push("(m.atom = ?)");`,
      },
    ],
    caughtBy: ["query.filter-typed"],
  },
];
