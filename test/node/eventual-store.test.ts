// The eventually consistent test store: it meets the RecordStore contract (the suite waits out
// its declared lag), a running poller over it reports every write, and the HTTP list route
// never lets a client cache a listing that may still lag its revision.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryPoller, StoreRegistryBackend } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventually, fakeClock, recordStoreSuite } from "../../src/testing/index.ts";
import { EventualRecordStore } from "../fixtures/eventual-record-store.ts";

recordStoreSuite(
  { describe, it, expect, beforeEach, afterEach },
  { name: "EventualRecordStore (lag 15 ms)", create: () => new EventualRecordStore({ lagMs: 15 }) },
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("RegistryPoller.start over an eventually consistent store", () => {
  it("3 writers × 50 writes, then 6 bursts, while the poller runs: every bot's last write is reported", async () => {
    const store = new EventualRecordStore({ lagMs: 60 });
    const writer = new StoreRegistryBackend({ store: store.primary });
    const reader = new StoreRegistryBackend({ store });
    const reported = new Map<string, unknown>();
    const poller = new RegistryPoller({
      backend: reader,
      pollInterval: 0.005,
      onChange: (botId, _old, config) => void reported.set(botId, config?.w ?? null),
    });
    await poller.start();
    const truth = new Map<string, number | null>();
    let w = 0;
    try {
      await Promise.all(
        [0, 1, 2].map(async (n) => {
          for (let i = 0; i < 50; i++) {
            const botId = `bot-${(n * 7 + i) % 8}`;
            if (i % 9 === 8) {
              if (await writer.unregister(botId)) truth.set(botId, null);
            } else {
              const mine = ++w;
              await writer.register(botId, { w: mine });
              truth.set(botId, mine);
            }
            // Bursts and pauses longer than the lag, so the revision also stands still.
            await sleep(i % 10 === 0 ? 40 : Math.random() * 3);
          }
        }),
      );
      const converged = () =>
        [...truth].every(([botId, state]) => (reported.get(botId) ?? null) === state);
      await eventually(converged, 2000);
      // Bursts on every bot, each followed by quiet: the revision stands still while listings
      // may still lag it, and nothing later would make a poller that stops early list again.
      for (let burst = 0; burst < 6; burst++) {
        for (let b = 0; b < 8; b++) {
          const mine = ++w;
          await writer.register(`bot-${b}`, { w: mine });
          truth.set(`bot-${b}`, mine);
        }
        await eventually(converged, 2000);
      }
      expect(Object.fromEntries(reported)).toEqual(Object.fromEntries(truth));
    } finally {
      await poller.stop();
    }
  }, 30_000);
});

describe("GET /bots over an eventually consistent registry", () => {
  it("serves a unique, uncacheable revision until the lag has passed, then the plain one (and 304s)", async () => {
    const clock = fakeClock();
    const store = new EventualRecordStore({ lagMs: 1000, now: clock.now, random: () => 0.5 });
    const writer = new StoreRegistryBackend({ store: store.primary, now: clock.now });
    const app = createApp({
      registry: new StoreRegistryBackend({ store, now: clock.now }),
      now: clock.now,
    });
    const list = async (etag?: string) => {
      const res = await app.request("/bots", etag ? { headers: { "if-none-match": etag } } : {});
      const body =
        res.status === 200 ? ((await res.json()) as { items: { bot_id: string }[] }) : null;
      return {
        status: res.status,
        etag: res.headers.get("etag") as string,
        ids: body?.items.map((r) => r.bot_id),
      };
    };
    await writer.register("a", {});
    clock.advance(500); // the write shows at +500 ms (revision and listing)
    const first = await list();
    expect(first.ids).toEqual(["a"]);
    expect(first.etag).toContain("~");
    const second = await list(first.etag);
    expect(second.status).toBe(200);
    expect(second.etag).not.toBe(first.etag);
    clock.advance(1000);
    const settled = await list(second.etag);
    expect([settled.status, settled.etag.includes("~"), settled.ids]).toEqual([200, false, ["a"]]);
    expect((await list(settled.etag)).status).toBe(304);
  });
});
