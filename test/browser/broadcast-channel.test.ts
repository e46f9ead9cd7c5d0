// Inside Chromium: BroadcastChannelEventBus through the event-bus suite (a peer is a second bus on
// the same channel, as another tab has; `disconnect` suspends a bus as a frozen tab is, and its
// resume reads the replay log in IndexedDB), the caching-manager and hot-reload suites over the
// IndexedDB registry with the bus, and a cache in one "tab" invalidated by a write in another.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BroadcastChannelEventBus,
  deleteBrowserDatabase,
  IndexedDBRecordStore,
} from "../../src/adapters/browser/index.ts";
import {
  CachingRegistryManager,
  type EventBus,
  HotReloadManager,
  type JsonObject,
  ReloadMode,
  StoreRegistryBackend,
} from "../../src/index.ts";
import {
  cachingManagerSuite,
  conformance,
  eventually,
  hotReloadSuite,
} from "../../src/testing/index.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const fresh = (what: string): string => `botknobs-${what}-${crypto.randomUUID().slice(0, 12)}`;

/** Databases made by a case, deleted after it (their buses and stores closed first). */
const made: { names: string[]; closers: (() => Promise<void>)[] } = { names: [], closers: [] };
afterEach(async () => {
  for (const close of made.closers.splice(0).reverse()) await close();
  for (const name of made.names.splice(0)) await deleteBrowserDatabase(name);
});

// Each case's bus on a channel and database of its own; its peer and filtered bus on the same.
let channel = "";
let dbName = "";
const bus = (
  extra: { topics?: string[]; replayWindow?: number } = {},
): BroadcastChannelEventBus => {
  const b = new BroadcastChannelEventBus({ channel, dbName, ...extra });
  made.closers.push(() => b.close());
  return b;
};
conformance(h, {
  name: "BroadcastChannel in Chromium",
  eventBus: {
    capabilities: { maxEventBytes: 65_536 },
    create: () => {
      channel = fresh("channel");
      dbName = fresh("bus");
      made.names.push(dbName);
      return bus();
    },
    createPeer: () => bus(),
    createFiltered: (topics) => bus({ topics }),
    disconnect: async (b) => {
      (b as BroadcastChannelEventBus).suspend();
      return () => void (b as BroadcastChannelEventBus).resume();
    },
  },
});

/** A registry over a fresh IndexedDB database, publishing on `eventBus`. */
function registry(eventBus: EventBus, now?: () => number, name = fresh("registry")) {
  if (!made.names.includes(name)) made.names.push(name);
  const store = new IndexedDBRecordStore({ dbName: name });
  return new StoreRegistryBackend({ store, eventBus, ...(now ? { now } : {}) });
}

cachingManagerSuite(h, {
  name: "StoreRegistryBackend over IndexedDB, BroadcastChannelEventBus",
  createBus: () => {
    channel = fresh("channel");
    dbName = fresh("bus");
    made.names.push(dbName);
    return new BroadcastChannelEventBus({ channel, dbName });
  },
  createBackend: ({ eventBus, now }) => registry(eventBus, now),
});

hotReloadSuite(h, {
  name: "StoreRegistryBackend over IndexedDB",
  createBackend: () => {
    const name = fresh("registry");
    made.names.push(name);
    return new StoreRegistryBackend({ store: new IndexedDBRecordStore({ dbName: name }) });
  },
});

class Instances extends CachingRegistryManager<JsonObject> {
  protected createInstance(_id: string, config: JsonObject): JsonObject {
    return config;
  }
}

/** Two "tabs": each its own bus, registry connection and cache, over one channel and database. */
async function twoTabs(replayWindow?: number) {
  channel = fresh("channel");
  dbName = fresh("bus");
  made.names.push(dbName);
  const shared = fresh("registry");
  const tab = async () => {
    const eventBus = bus(replayWindow ? { replayWindow } : {});
    const backend = registry(eventBus, undefined, shared);
    const manager = new Instances({ backend, eventBus });
    const hot = new HotReloadManager({
      cachingManager: manager,
      eventBus,
      mode: ReloadMode.EVENT_DRIVEN,
    });
    await manager.initialize();
    await hot.initialize();
    made.closers.push(async () => {
      await hot.shutdown();
      await manager.close();
      await backend.close();
    });
    return { eventBus, backend, manager, hot };
  };
  return { a: await tab(), b: await tab() };
}

describe("hot reload across tabs (BroadcastChannelEventBus, IndexedDB registry)", () => {
  it("a config written in one tab invalidates the bot cached in the other", async () => {
    const { a, b } = await twoTabs();
    await a.backend.register("support-bot", { model: "small" });
    expect((await b.manager.getOrCreate("support-bot")).model).toBe("small");
    await a.backend.update("support-bot", { model: "large" });
    await eventually(() => !b.manager.isCached("support-bot"));
    expect((await b.manager.getOrCreate("support-bot")).model).toBe("large");
  });

  it("a tab back from sleep gets the writes it missed from the replay log, and drops what they changed", async () => {
    const { a, b } = await twoTabs();
    await a.backend.register("bot-1", { v: 1 });
    await a.backend.register("bot-2", { v: 1 });
    await b.manager.getOrCreate("bot-1");
    await b.manager.getOrCreate("bot-2");
    (b.eventBus as BroadcastChannelEventBus).suspend();
    await a.backend.update("bot-1", { v: 2 });
    // Asleep: nothing reached it.
    await new Promise((r) => setTimeout(r, 50));
    expect(b.manager.isCached("bot-1")).toBe(true);
    await (b.eventBus as BroadcastChannelEventBus).resume();
    await eventually(() => !b.manager.isCached("bot-1"));
    expect(b.manager.isCached("bot-2")).toBe(true);
    expect((await b.manager.getOrCreate("bot-1")).v).toBe(2);
  });

  it("a tab that slept past the replay window is told to resynchronise: its whole cache goes", async () => {
    const { a, b } = await twoTabs(3);
    await a.backend.register("bot-1", { v: 1 });
    await a.backend.register("bot-2", { v: 1 });
    await b.manager.getOrCreate("bot-1");
    await b.manager.getOrCreate("bot-2");
    (b.eventBus as BroadcastChannelEventBus).suspend();
    // More writes than the log keeps, none of them to bot-2.
    for (let v = 2; v <= 8; v++) await a.backend.update("bot-1", { v });
    await (b.eventBus as BroadcastChannelEventBus).resume();
    await eventually(() => !b.manager.isCached("bot-2"));
    expect(b.manager.isCached("bot-1")).toBe(false);
    expect((await b.manager.getOrCreate("bot-1")).v).toBe(8);
  });
});
