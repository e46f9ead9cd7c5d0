/**
 * The `botknobs/browser` adapters' source mutants: mistakes in the IndexedDB stores and the
 * BroadcastChannel bus, run against their ports' conformance suites inside Chromium
 * (test/browser/browser-mutants.test.ts; the mutant plugin is on the browser project too).
 */
import { one, type SourceMutant } from "./source-mutant-shape.ts";

const RECORDS = "src/adapters/browser/browser-record-store.ts";
const BLOBS = "src/adapters/browser/browser-blob-store.ts";
const BUS = "src/adapters/browser/browser-event-bus.ts";

/** The browser adapters' mutants. */
export const BROWSER_MUTANTS: SourceMutant[] = [
  {
    id: "indexeddb-records.touch-any-version",
    adapter: "IndexedDB record store",
    bug: "touch() records the access whatever version is current: a touch naming an older version is applied",
    ...one(
      RECORDS,
      "if (current === undefined || current.version !== version) return false;",
      "if (current === undefined) return false;",
    ),
    caughtBy: ["touch.needs-version"],
  },
  {
    id: "indexeddb-records.delete-keeps-history",
    adapter: "IndexedDB record store",
    bug: "delete() removes the current record but leaves its versions in the history store",
    ...one(RECORDS, "tx.objectStore(HISTORY).delete(versionsOf(botId));", ""),
    caughtBy: ["delete.starts-afresh"],
  },
  {
    id: "indexeddb-blobs.if-match-ignored",
    adapter: "IndexedDB blob store",
    bug: "put() writes whatever ifMatch says: a conditional put is an unconditional one",
    ...one(BLOBS, "if ((current?.etag ?? null) !== ifMatch) return null;", ""),
    caughtBy: ["put.if-match"],
  },
  {
    id: "indexeddb-blobs.cursor-inclusive",
    adapter: "IndexedDB blob store",
    bug: "list() starts the next page at its cursor's key, not after it: the last key of a page comes again",
    ...one(BLOBS, "? IDBKeyRange.lowerBound(cursor, true)", "? IDBKeyRange.lowerBound(cursor)"),
    caughtBy: ["list.pages"],
  },
  {
    id: "broadcast-channel.resume-no-catch-up",
    adapter: "BroadcastChannel event bus",
    bug: "resume() listens on the channel again but does not read the replay log: what a sleeping tab missed is lost",
    ...one(BUS, "await this.#queue(() => this.#catchUp());", ""),
    caughtBy: ["resume.short-disconnect"],
  },
  {
    id: "broadcast-channel.connect-from-start",
    adapter: "BroadcastChannel event bus",
    bug: "connect() starts from the log's beginning, not its end: a new tab hears events published before it connected",
    ...one(BUS, "this.#last = (await this.#log.position()).last;", "this.#last = 0;"),
    caughtBy: ["distributed.from-connect"],
  },
];
