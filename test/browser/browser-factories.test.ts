// Inside Chromium: the factories of botknobs/browser make the IndexedDB registry and knowledge
// backends and the BroadcastChannel bus from the seed's configuration keys.
import { afterEach, describe, expect, it } from "vitest";
import {
  createEventBus,
  createKnowledgeBackend,
  createRegistryBackend,
  deleteBrowserDatabase,
} from "../../src/adapters/browser/index.ts";
import { Event, ValidationError } from "../../src/index.ts";
import { eventually } from "../../src/testing/index.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});
const fresh = (): string => {
  const name = `factories-${crypto.randomUUID()}`;
  cleanups.push(() => deleteBrowserDatabase(name));
  return name;
};

describe("botknobs/browser's factories (Chromium)", () => {
  it('createRegistryBackend("indexeddb"): what one backend writes, another over the same db_name reads', async () => {
    const db_name = fresh();
    const writer = createRegistryBackend("indexeddb", { db_name, history_limit: 5 });
    const reader = createRegistryBackend("indexeddb", { db_name });
    cleanups.push(async () => {
      await writer.close();
      await reader.close();
    });
    await writer.initialize();
    await reader.initialize();
    await writer.register("helper", { llm: { model: "m" } });
    expect((await reader.get("helper"))?.config).toEqual({ llm: { model: "m" } });
  });

  it('createKnowledgeBackend("indexeddb"): files kept in IndexedDB', async () => {
    const db_name = fresh();
    const knowledge = createKnowledgeBackend("indexeddb", { db_name, prefix: "kb/" });
    cleanups.push(() => knowledge.close());
    await knowledge.createKb("docs");
    await knowledge.putFile("docs", "a.md", "# A");
    const again = createKnowledgeBackend("indexeddb", { db_name, prefix: "kb/" });
    cleanups.push(() => again.close());
    expect(new TextDecoder().decode((await again.getFile("docs", "a.md")) as Uint8Array)).toBe(
      "# A",
    );
  });

  it('createEventBus({ backend: "broadcast-channel" }): two buses on one channel hear each other', async () => {
    const db_name = fresh();
    const channel = `c-${crypto.randomUUID()}`;
    const a = createEventBus({ backend: "broadcast-channel", channel, db_name, replay_window: 50 });
    const b = createEventBus({ backend: "broadcast-channel", channel, db_name });
    cleanups.push(async () => {
      await a.close();
      await b.close();
    });
    await a.connect();
    await b.connect();
    const got: Event[] = [];
    await b.subscribe("t:x", (e) => void got.push(e));
    await a.publish("t:x", new Event({ type: "custom", topic: "t:x", payload: { n: 1 } }));
    await eventually(() => got.length === 1);
  });

  it("unknown keys and types are a ValidationError naming what is accepted; the core's types still work", () => {
    expect(() => createRegistryBackend("indexeddb", { dbname: "x" })).toThrow(ValidationError);
    expect(() => createEventBus({ backend: "nope" })).toThrow(/broadcast-channel/);
    expect(() => createKnowledgeBackend("memory")).not.toThrow();
  });
});
