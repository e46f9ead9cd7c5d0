/**
 * The caching-manager conformance suite: `CachingRegistryManager` over any registry backend and
 * event bus, with the decided conflicts (C5 resolved config version, C7 seed example, C16 true
 * LRU) and the concurrency promises (single flight, destroy exactly once).
 * @module
 */
import type { CachingRegistryManagerOptions } from "../core/caching/caching-manager.ts";
import { ConfigCachingManager } from "../core/caching/config-caching-manager.ts";
import { EnvironmentConfig } from "../core/config/environment.ts";
import { ClosedError, NotFoundError, ValidationError } from "../core/errors.ts";
import { Event, EventType } from "../core/events/event.ts";
import { InMemoryEventBus } from "../core/events/memory-bus.ts";
import type { EventBus } from "../core/events/types.ts";
import { InMemoryBackend } from "../core/registry/memory-backend.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import type { JsonObject } from "../core/validate.ts";
import { cachingLabelCases } from "./caching-label-cases.ts";
import { RecordingManager, type RecordingManagerClass } from "./caching-recording.ts";
import {
  deferred,
  eventually,
  expectRejects,
  type FakeClock,
  fakeClock,
  itUnless,
  type TestHarness,
} from "./harness.ts";

/** The seed's update event: `Event(UPDATED, "registry:bots", { bot_id })`. */
const updated = (botId: string): Event =>
  new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: botId } });

export type { CachingManagerSuiteContext } from "./caching-label-cases.ts";
export {
  RecordingManager,
  type RecordingManagerClass,
  TestBot,
} from "./caching-recording.ts";

/** Options of {@link cachingManagerSuite}. */
export interface CachingManagerSuiteOptions {
  name: string;
  /** A fresh, empty backend publishing on `eventBus` (default: `InMemoryBackend`). */
  createBackend?(context: {
    eventBus: EventBus;
    now: () => number;
  }): Promise<RegistryBackend> | RegistryBackend;
  /** A fresh bus (default: `InMemoryEventBus`). */
  createBus?(): Promise<EventBus> | EventBus;
  /**
   * The manager class under test: {@link RecordingManager} (the default) or a subclass of it,
   * which the suite drives and whose creations and destructions it counts.
   */
  manager?: RecordingManagerClass;
  /** The backend writes labels (default true): the `labels.*` cases run. */
  labels?: boolean;
}

/** Runs the caching-manager conformance suite. */
export function cachingManagerSuite(h: TestHarness, options: CachingManagerSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;

  describe(`CachingRegistryManager conformance: ${options.name}`, () => {
    let backend: RegistryBackend;
    let bus: EventBus;
    let clock: FakeClock;
    let manager: RecordingManager;
    const managers: { close(): Promise<void> }[] = [];
    const Manager = options.manager ?? RecordingManager;
    const make = (extra: Partial<CachingRegistryManagerOptions> = {}): RecordingManager => {
      const m = new Manager({
        backend,
        eventBus: bus,
        now: clock.now,
        cacheTtl: 300,
        ...extra,
      });
      managers.push(m);
      return m;
    };
    const allDestroyedOnce = (m: RecordingManager): boolean =>
      m.created.every((b) => b.destroyed === 1);

    beforeEach(async () => {
      clock = fakeClock();
      bus = options.createBus ? await options.createBus() : new InMemoryEventBus();
      await bus.connect();
      backend = options.createBackend
        ? await options.createBackend({ eventBus: bus, now: clock.now })
        : new InMemoryBackend({ eventBus: bus, now: clock.now });
      await backend.initialize();
      manager = make();
      await manager.initialize();
    });

    afterEach(async () => {
      for (const m of managers.splice(0)) await m.close();
      await backend.clear();
      await backend.close();
      await bus.close();
    });

    it("getOrCreate.caches - one creation, then the same instance", async () => {
      await backend.register("bot-1", { model: "a" });
      const a = await manager.getOrCreate("bot-1");
      const b = await manager.getOrCreate("bot-1");
      expect(a).toBe(b);
      expect(a.config).toEqual({ model: "a" });
      expect(manager.created).toHaveLength(1);
      const stats = manager.getCacheStats();
      expect([stats.hits, stats.misses, stats.size]).toEqual([1, 1, 1]);
      expect(manager.peek("bot-1")).toBe(a);
      expect(manager.peek("other")).toBeUndefined();
    });

    it("getOrCreate.missing - NotFoundError naming the id", async () => {
      await expectRejects(h, manager.getOrCreate("ghost-bot"), NotFoundError, "ghost-bot");
      expect(manager.isCached("ghost-bot")).toBe(false);
    });

    it("getOrCreate.inactive - a deactivated bot is not served", async () => {
      await backend.register("bot-1", { model: "a" });
      await backend.deactivate("bot-1");
      await expectRejects(h, manager.getOrCreate("bot-1"), NotFoundError, "bot-1");
    });

    it("getOrCreate.bad-id - ValidationError", async () => {
      await expectRejects(h, manager.getOrCreate("../etc"), ValidationError);
    });

    it("ttl.expires - a stale instance is destroyed and rebuilt", async () => {
      await backend.register("bot-1", { model: "a" });
      const first = await manager.getOrCreate("bot-1");
      clock.advance(299_999);
      expect(await manager.getOrCreate("bot-1")).toBe(first);
      clock.advance(1);
      const second = await manager.getOrCreate("bot-1");
      expect(second).not.toBe(first);
      await eventually(() => first.destroyed === 1);
      expect(manager.getCacheStats().expired).toBe(1);
    });

    it("ttl.zero - every call creates a new instance", async () => {
      await backend.register("bot-1", { model: "a" });
      const m = make({ cacheTtl: 0 });
      const a = await m.getOrCreate("bot-1");
      const b = await m.getOrCreate("bot-1");
      expect(a).not.toBe(b);
    });

    it("lru.true-lru - a hit refreshes recency (C16)", async () => {
      const m = make({ maxCacheSize: 2 });
      for (const id of ["b1", "b2", "b3"]) await backend.register(id, {});
      const b1 = await m.getOrCreate("b1");
      const b2 = await m.getOrCreate("b2");
      clock.advance(10);
      await m.getOrCreate("b1");
      await m.getOrCreate("b3");
      expect(m.isCached("b1")).toBe(true);
      expect(m.isCached("b2")).toBe(false);
      expect(m.isCached("b3")).toBe(true);
      await eventually(() => b2.destroyed === 1);
      expect(b1.destroyed).toBe(0);
      expect(m.getCacheStats().evictions).toBe(1);
    });

    it("lru.insertion-order - with no re-access, the oldest goes first", async () => {
      const m = make({ maxCacheSize: 2 });
      for (const id of ["b1", "b2", "b3"]) await backend.register(id, {});
      for (const id of ["b1", "b2", "b3"]) await m.getOrCreate(id);
      expect([m.isCached("b1"), m.isCached("b2"), m.isCached("b3")]).toEqual([false, true, true]);
    });

    it("forceRefresh - builds anew and destroys the old instance once", async () => {
      await backend.register("bot-1", { model: "a" });
      const old = await manager.getOrCreate("bot-1");
      const fresh = await manager.getOrCreate("bot-1", { forceRefresh: true });
      expect(fresh).not.toBe(old);
      await eventually(() => old.destroyed === 1);
      expect(await manager.getOrCreate("bot-1")).toBe(fresh);
    });

    it("invalidate - destroys once; false when not cached", async () => {
      await backend.register("bot-1", {});
      const bot = await manager.getOrCreate("bot-1");
      expect(await manager.invalidate("bot-1")).toBe(true);
      expect(await manager.invalidate("bot-1")).toBe(false);
      expect(bot.destroyed).toBe(1);
      expect(manager.isCached("bot-1")).toBe(false);
    });

    it("invalidateAll - returns the count and destroys each", async () => {
      await backend.register("a", {});
      await backend.register("b", {});
      await manager.getOrCreate("a");
      await manager.getOrCreate("b");
      expect(await manager.invalidateAll()).toBe(2);
      expect(manager.cacheSize).toBe(0);
      expect(allDestroyedOnce(manager)).toBe(true);
    });

    it("events.seed-example - UPDATED with bot_id, then getOrCreate builds from the new config (C7)", async () => {
      await backend.register("support-bot", { llm: { model: "claude-3-sonnet" } });
      const before = await manager.getOrCreate("support-bot");
      // Update without the backend's own event: only the explicit publish below may invalidate.
      const quiet = options.createBackend ? backend : new InMemoryBackend({ now: clock.now });
      if (quiet !== backend) {
        await quiet.register("support-bot", { llm: { model: "claude-3-sonnet" } });
        const m = make({ backend: quiet });
        await m.initialize();
        await m.getOrCreate("support-bot");
        await quiet.update("support-bot", { llm: { model: "claude-3-opus" } });
        expect((await m.getOrCreate("support-bot")).config).toEqual({
          llm: { model: "claude-3-sonnet" },
        });
        await bus.publish("registry:bots", updated("support-bot"));
        await eventually(() => !m.isCached("support-bot"));
        expect((await m.getOrCreate("support-bot")).config).toEqual({
          llm: { model: "claude-3-opus" },
        });
      }
      await backend.update("support-bot", { llm: { model: "claude-3-opus" } });
      await bus.publish("registry:bots", updated("support-bot"));
      await eventually(() => !manager.isCached("support-bot"));
      const after = await manager.getOrCreate("support-bot");
      expect(after).not.toBe(before);
      expect(after.config).toEqual({ llm: { model: "claude-3-opus" } });
      expect(before.destroyed).toBe(1);
    });

    it("events.backend-writes-invalidate - a backend with the bus invalidates by itself", async () => {
      await backend.register("bot-1", { v: 1 });
      const before = await manager.getOrCreate("bot-1");
      await backend.register("bot-1", { v: 2 });
      await eventually(() => !manager.isCached("bot-1"));
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
      await backend.deactivate("bot-1");
      await eventually(() => !manager.isCached("bot-1"));
      await expectRejects(h, manager.getOrCreate("bot-1"), NotFoundError);
      expect(before.destroyed).toBe(1);
    });

    it("events.instance-id - the original's payload key works too; created and id-less events are ignored", async () => {
      await backend.register("bot-1", {});
      await manager.getOrCreate("bot-1");
      await bus.publish(
        "registry:bots",
        new Event({
          type: EventType.CREATED,
          topic: "registry:bots",
          payload: { bot_id: "bot-1" },
        }),
      );
      await bus.publish(
        "registry:bots",
        new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { other: 1 } }),
      );
      await bus.publish(
        "registry:elsewhere",
        new Event({ type: EventType.UPDATED, topic: "x", payload: { bot_id: "bot-1" } }),
      );
      expect(manager.isCached("bot-1")).toBe(true);
      await bus.publish(
        "registry:bots",
        new Event({
          type: EventType.DELETED,
          topic: "registry:bots",
          payload: { instance_id: "bot-1" },
        }),
      );
      await eventually(() => !manager.isCached("bot-1"));
    });

    it("events.publishInvalidation - every manager on the bus drops the bot", async () => {
      await backend.register("bot-1", {});
      const other = make();
      await other.initialize();
      await manager.getOrCreate("bot-1");
      await other.getOrCreate("bot-1");
      await manager.publishInvalidation("bot-1");
      await eventually(() => !manager.isCached("bot-1") && !other.isCached("bot-1"));
    });

    it("single-flight.1000 - 1,000 concurrent calls on a cold id create once", async () => {
      await backend.register("cold", {});
      const gate = deferred();
      manager.gate = gate.promise;
      const calls = Array.from({ length: 1000 }, () => manager.getOrCreate("cold"));
      gate.resolve();
      const bots = await Promise.all(calls);
      expect(manager.created).toHaveLength(1);
      expect(bots.every((b) => b === bots[0])).toBe(true);
    });

    it("single-flight.independent-ids - a slow creation does not block other ids", async () => {
      await backend.register("slow", {});
      await backend.register("fast", {});
      const gate = deferred();
      manager.gates.set("slow", gate.promise);
      const slow = manager.getOrCreate("slow");
      const fast = await manager.getOrCreate("fast");
      expect(fast.botId).toBe("fast");
      expect(manager.isCached("slow")).toBe(false);
      gate.resolve();
      expect((await slow).botId).toBe("slow");
    });

    it("single-flight.failure-shared - a failed creation rejects every waiter and is not cached", async () => {
      const calls = Array.from({ length: 10 }, () => manager.getOrCreate("missing"));
      const results = await Promise.allSettled(calls);
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      await backend.register("missing", {});
      expect((await manager.getOrCreate("missing")).botId).toBe("missing");
    });

    it("invalidate.during-creation - callers after the invalidation get the new config", async () => {
      await backend.register("bot-1", { v: 1 });
      const gate = deferred();
      manager.gate = gate.promise;
      const early = manager.getOrCreate("bot-1");
      await new Promise((r) => setTimeout(r, 0));
      await backend.register("bot-1", { v: 2 });
      await manager.invalidate("bot-1");
      manager.gate = undefined;
      const late = manager.getOrCreate("bot-1");
      gate.resolve();
      expect((await late).config).toEqual({ v: 2 });
      expect((await early).config).toEqual({ v: 2 });
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
      await manager.close();
      expect(allDestroyedOnce(manager)).toBe(true);
    });

    it("eviction.under-load - each instance is destroyed exactly once", async () => {
      const m = make({ maxCacheSize: 10 });
      for (let i = 0; i < 100; i++) await backend.register(`b${i}`, {});
      let seed = 7;
      const rnd = (): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed;
      };
      const calls = Array.from({ length: 2000 }, () => m.getOrCreate(`b${rnd() % 100}`));
      await Promise.all(calls);
      expect(m.cacheSize).toBeLessThanOrEqual(10);
      expect(m.created.every((b) => b.destroyed <= 1)).toBe(true);
      await m.close();
      expect(allDestroyedOnce(m)).toBe(true);
      expect(m.getCacheStats().evictions).toBe(m.created.length - 10);
    });

    it("close - destroys every instance once, even when destroy throws; then refuses work", async () => {
      await backend.register("a", {});
      await backend.register("b", {});
      await manager.getOrCreate("a");
      await manager.getOrCreate("b");
      manager.failDestroy = true;
      await manager.close();
      expect(allDestroyedOnce(manager)).toBe(true);
      await expectRejects(h, manager.getOrCreate("a"), ClosedError);
      await manager.initialize();
      expect((await manager.getOrCreate("a")).botId).toBe("a");
    });

    it("options - rejects a negative TTL and a size below 1", () => {
      const refusal = (extra: Partial<CachingRegistryManagerOptions>): string => {
        try {
          make(extra);
        } catch (e) {
          return e instanceof ValidationError ? "ValidationError" : String(e);
        }
        return "accepted";
      };
      expect(
        [
          { cacheTtl: -1 },
          { cacheTtl: Number.NaN },
          { maxCacheSize: 0 },
          { maxCacheSize: 1.5 },
        ].map(refusal),
      ).toEqual(["ValidationError", "ValidationError", "ValidationError", "ValidationError"]);
      expect(refusal({ cacheTtl: 0, maxCacheSize: 1 })).toBe("accepted");
    });

    it("config-caching - resolved config with version and etag (C5), resources and ${VAR}", async () => {
      const environment = EnvironmentConfig.fromDict({
        name: "test",
        resources: {
          databases: { registry: { backend: "postgres", host: "${DB_HOST:localhost}" } },
        },
      });
      await backend.register("cfg", {
        bot: {
          db: { $resource: "registry", type: "databases" },
          url: "${API_URL:http://x:1/a}",
          n: 1,
        },
        other: true,
      });
      const m = new ConfigCachingManager({
        backend,
        environment,
        configKey: "bot",
        env: { DB_HOST: "db.internal" },
        now: clock.now,
      });
      managers.push(m);
      const resolved = await m.get("cfg");
      expect(resolved.config).toEqual({
        db: { backend: "postgres", host: "db.internal" },
        url: "http://x:1/a",
        n: 1,
      });
      expect(resolved.rawConfig.other).toBe(true);
      expect(resolved.version).toBe(1);
      expect(resolved.etag).toMatch(/^[0-9a-f]{64}$/);
      expect(resolved.environmentName).toBe("test");
      expect(resolved.get("n")).toBe(1);
      expect(await m.get("cfg")).toBe(resolved);
      expect(await m.getRawConfig("cfg")).toEqual((await backend.peekConfig("cfg")) as JsonObject);
      await m.invalidate("cfg");
      await m.getRawConfig("cfg");
      expect(m.isCached("cfg")).toBe(false);
    });

    it("config-caching.missing-variable - ValidationError naming the variable", async () => {
      await backend.register("cfg", { key: "${MISSING_VAR}" });
      const m = new ConfigCachingManager({ backend, now: clock.now });
      managers.push(m);
      await expectRejects(h, m.get("cfg"), ValidationError, "MISSING_VAR");
    });

    cachingLabelCases(
      h,
      {
        backend: () => backend,
        manager: (o = {}) => {
          if (!o.withoutBus) return make();
          const m = new Manager({ backend, now: clock.now, cacheTtl: 300 });
          managers.push(m);
          return m;
        },
        now: () => clock.now(),
        advance: (ms) => clock.advance(ms),
        track: (m) => {
          managers.push(m);
        },
      },
      itUnless(h, options.labels === false && "the backend writes no labels"),
    );
  });
}
