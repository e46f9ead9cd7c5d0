/**
 * The hot-reload conformance suite: `RegistryPoller` and `HotReloadManager` over any registry
 * backend (the poller needs only `revision()` and `listAll()`).
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import { EventType } from "../core/events/event.ts";
import { InMemoryEventBus } from "../core/events/memory-bus.ts";
import { InMemoryBackend } from "../core/registry/memory-backend.ts";
import type { Registration } from "../core/registry/registration.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import {
  HotReloadManager,
  type HotReloadManagerOptions,
  ReloadMode,
} from "../core/reload/hot-reload.ts";
import { RegistryPoller } from "../core/reload/poller.ts";
import type { JsonObject } from "../core/validate.ts";
import { RecordingManager, type TestBot } from "./caching-suite.ts";
import { eventually, type TestHarness } from "./harness.ts";

/** Options of {@link hotReloadSuite}. */
export interface HotReloadSuiteOptions {
  name: string;
  /** A fresh, empty backend that publishes no events (default: `InMemoryBackend`). */
  createBackend?(): Promise<RegistryBackend> | RegistryBackend;
  /** The hot-reload manager class under test: `HotReloadManager` (the default) or a subclass. */
  hotReload?: HotReloadManagerClass;
  /** The poller class under test: `RegistryPoller` (the default) or a subclass. */
  poller?: typeof RegistryPoller;
}

/** A {@link HotReloadManager} class over {@link TestBot}s: itself or a subclass. */
export type HotReloadManagerClass = new (
  options: HotReloadManagerOptions<TestBot>,
) => HotReloadManager<TestBot>;

/** Runs the hot-reload conformance suite. */
export function hotReloadSuite(h: TestHarness, options: HotReloadSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  const HotReload = options.hotReload ?? HotReloadManager;
  const Poller = options.poller ?? RegistryPoller;
  describe(`Hot reload conformance: ${options.name}`, () => {
    let backend: RegistryBackend;
    const stoppers: (() => Promise<void>)[] = [];
    beforeEach(async () => {
      backend = options.createBackend ? await options.createBackend() : new InMemoryBackend();
      await backend.initialize();
    });
    afterEach(async () => {
      for (const stop of stoppers.splice(0)) await stop();
      await backend.clear();
      await backend.close();
    });

    it("poller.detects - created, updated, deactivated, activated, deleted with old and new configs (C6)", async () => {
      const seen: [string, JsonObject | null, JsonObject | null][] = [];
      const poller = new Poller({
        backend,
        pollInterval: 60,
        onChange: (id, o, n) => void seen.push([id, o, n]),
      });
      await poller.snapshot();
      await backend.register("a", { v: 1 });
      expect((await poller.pollOnce()).map((c) => c.type)).toEqual([EventType.CREATED]);
      await backend.register("a", { v: 2 });
      await backend.register("b", { v: 1 });
      const second = await poller.pollOnce();
      expect(second.map((c) => [c.botId, c.type])).toEqual([
        ["a", "updated"],
        ["b", "created"],
      ]);
      await backend.deactivate("a");
      expect((await poller.pollOnce()).map((c) => c.type)).toEqual([EventType.DEACTIVATED]);
      await backend.register("a", { v: 3 });
      expect((await poller.pollOnce()).map((c) => c.type)).toEqual([EventType.ACTIVATED]);
      await backend.unregister("b");
      expect((await poller.pollOnce()).map((c) => c.type)).toEqual([EventType.DELETED]);
      expect(seen[0]).toEqual(["a", null, { v: 1 }]);
      expect(seen[1]).toEqual(["a", { v: 1 }, { v: 2 }]);
      expect(seen[seen.length - 1]).toEqual(["b", { v: 1 }, null]);
    });

    it("poller.no-change - an unchanged revision means no listing and no changes", async () => {
      await backend.register("a", {});
      let listings = 0;
      const counting = Object.create(backend, {
        listAll: {
          value: () => {
            listings++;
            return backend.listAll();
          },
        },
        revision: { value: () => backend.revision() },
      }) as RegistryBackend;
      const poller = new Poller({ backend: counting, pollInterval: 1 });
      await poller.snapshot();
      expect(listings).toBe(1);
      expect(await poller.pollOnce()).toEqual([]);
      expect(await poller.pollOnce()).toEqual([]);
      expect(listings).toBe(1);
    });

    it("poller.monotonic - over a store whose listings lag (a replica behind a write), a bot's version never goes back: the older listing is no change, the newer one not reported twice", async () => {
      await backend.register("m", { v: 1 });
      // What an eventually consistent store may answer for a while after the next write.
      const older = await backend.listAll();
      const stale: Registration[][] = [];
      const lagging = Object.create(backend, {
        listAll: { value: async () => stale.shift() ?? backend.listAll() },
        revision: { value: () => backend.revision() },
      }) as RegistryBackend;
      // A long settle window: every poll lists (as after each write on such a store).
      const poller = new Poller({ backend: lagging, pollInterval: 60, visibilityLagMs: 60_000 });
      const versions = async (): Promise<[string, number | null][]> =>
        (await poller.pollOnce()).map((c) => [c.botId, c.version]);
      await poller.snapshot();
      await backend.register("m", { v: 2 });
      expect(await versions()).toEqual([["m", 2]]);
      stale.push(older);
      expect(await versions()).toEqual([]);
      expect(await versions()).toEqual([]);
      await backend.register("m", { v: 3 });
      stale.push(older);
      expect(await versions()).toEqual([]);
      expect(await versions()).toEqual([["m", 3]]);
      // Deleted and registered again: version 1 of a new bot is a change, not a lag.
      await backend.unregister("m");
      expect(await versions()).toEqual([["m", null]]);
      await new Promise((r) => setTimeout(r, 5));
      await backend.register("m", { v: 4 });
      expect(await versions()).toEqual([["m", 1]]);
    });

    it("poller.publishes - changes go to registry:changes with bot_id and instance_id", async () => {
      const bus = new InMemoryEventBus();
      const got: unknown[] = [];
      await bus.subscribe(
        "registry:changes",
        (e) => void got.push([e.type, e.payload.bot_id, e.payload.instance_id]),
      );
      const poller = new Poller({ backend, eventBus: bus, pollInterval: 5 });
      await poller.snapshot();
      await backend.register("a", {});
      await poller.pollOnce();
      expect(got).toEqual([["created", "a", "a"]]);
    });

    it("poller.interval - must be positive", () => {
      let error: unknown;
      try {
        new Poller({ backend, pollInterval: 0 });
      } catch (e) {
        error = e;
      }
      expect(error instanceof ValidationError).toBe(true);
      const poller = new Poller({ backend, pollingInterval: 2 });
      expect(poller.pollInterval).toBe(2);
    });

    it("poller.failing-backend - the loop survives, backs off, and recovers", async () => {
      let fail = false;
      const flaky = Object.create(backend, {
        revision: { value: () => (fail ? Promise.reject(new Error("down")) : backend.revision()) },
        listAll: { value: () => backend.listAll() },
      }) as RegistryBackend;
      const errors: unknown[] = [];
      const seen: string[] = [];
      const poller = new Poller({
        backend: flaky,
        pollInterval: 0.01,
        maxBackoff: 0.04,
        onChange: (id) => void seen.push(id),
        onError: (e) => void errors.push(e),
      });
      await poller.start();
      stoppers.push(() => poller.stop());
      fail = true;
      await eventually(() => errors.length >= 2);
      expect(poller.failures).toBeGreaterThanOrEqual(2);
      fail = false;
      await backend.register("late", {});
      await eventually(() => seen.includes("late"));
      expect(poller.failures).toBe(0);
    });

    it("hot-reload.default-mode - event-driven with a bus, polling without", () => {
      const manager = new RecordingManager({ backend });
      expect(
        new HotReload({ cachingManager: manager, eventBus: new InMemoryEventBus() }).mode,
      ).toBe("event_driven");
      expect(new HotReload({ cachingManager: manager }).mode).toBe("polling");
      expect(ReloadMode.HYBRID).toBe("hybrid");
    });

    it("hot-reload.event-driven - the seed example: update, publish, fresh bot", async () => {
      const bus = new InMemoryEventBus();
      await backend.register("support-bot", { model: "claude-3-sonnet" });
      // The manager has no bus: only the HotReloadManager's own subscription can invalidate.
      const manager = new RecordingManager({ backend });
      const hot = new HotReload({
        backend,
        cachingManager: manager,
        eventBus: bus,
        mode: ReloadMode.EVENT_DRIVEN,
      });
      await hot.initialize();
      stoppers.push(
        () => hot.shutdown(),
        () => manager.close(),
      );
      const before = await manager.getOrCreate("support-bot");
      await backend.update("support-bot", { model: "claude-3-opus" });
      const { Event } = await import("../core/events/event.ts");
      await bus.publish(
        "registry:bots",
        new Event({
          type: EventType.UPDATED,
          topic: "registry:bots",
          payload: { bot_id: "support-bot" },
        }),
      );
      const after = await manager.getOrCreate("support-bot");
      expect(after).not.toBe(before);
      expect(after.config).toEqual({ model: "claude-3-opus" });
      expect(hot.getStats().invalidations).toBe(1);
    });

    it("hot-reload.polling - a change found by polling invalidates the cache", async () => {
      await backend.register("bot-1", { v: 1 });
      const manager = new RecordingManager({ backend });
      const hot = new HotReload({
        cachingManager: manager,
        mode: ReloadMode.POLLING,
        pollingInterval: 0.01,
      });
      await hot.initialize();
      stoppers.push(
        () => hot.shutdown(),
        () => manager.close(),
      );
      await manager.getOrCreate("bot-1");
      await backend.register("bot-1", { v: 2 });
      await eventually(() => !manager.isCached("bot-1"));
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
      const stats = hot.getStats();
      expect([stats.mode, stats.running, stats.pollerRunning, stats.pollInterval]).toEqual([
        "polling",
        true,
        true,
        0.01,
      ]);
    });

    it("hot-reload.hybrid - events and polls together invalidate each change once and destroy each instance once", async () => {
      const bus = new InMemoryEventBus();
      const eventing = new InMemoryBackend({ eventBus: bus });
      await eventing.register("bot-1", { v: 1 });
      // The manager has no bus: only the HotReloadManager (its subscription and its poller) can
      // invalidate, and for each change both of them see it.
      const manager = new RecordingManager({ backend: eventing });
      const hot = new HotReload({
        cachingManager: manager,
        eventBus: bus,
        mode: ReloadMode.HYBRID,
        pollingInterval: 0.01,
      });
      let polled = 0;
      hot.poller?.addChangeCallback(() => void polled++);
      await hot.initialize();
      stoppers.push(
        () => hot.shutdown(),
        () => manager.close(),
      );
      for (let v = 2; v <= 5; v++) {
        await manager.getOrCreate("bot-1");
        await eventing.register("bot-1", { v });
        await eventually(() => !manager.isCached("bot-1"));
        // The poller sees this change too (before the next one is made).
        await eventually(() => polled === v - 1);
      }
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 5 });
      expect(hot.getStats().invalidations).toBe(4);
      await manager.close();
      expect(manager.created.map((b) => b.destroyed)).toEqual([1, 1, 1, 1, 1]);
    });

    it("hot-reload.hybrid-events - with a poll an hour away, an event alone invalidates", async () => {
      const bus = new InMemoryEventBus();
      const eventing = new InMemoryBackend({ eventBus: bus });
      await eventing.register("bot-1", { v: 1 });
      const manager = new RecordingManager({ backend: eventing });
      const hot = new HotReload({
        cachingManager: manager,
        eventBus: bus,
        mode: ReloadMode.HYBRID,
        pollingInterval: 3600,
      });
      await hot.initialize();
      stoppers.push(
        () => hot.shutdown(),
        () => manager.close(),
      );
      await manager.getOrCreate("bot-1");
      await eventing.register("bot-1", { v: 2 });
      await eventually(() => !manager.isCached("bot-1"));
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
    });

    it("hot-reload.hybrid-polls - a write that publishes no event is found by the poll", async () => {
      await backend.register("bot-1", { v: 1 });
      const manager = new RecordingManager({ backend });
      const hot = new HotReload({
        cachingManager: manager,
        eventBus: new InMemoryEventBus(),
        mode: ReloadMode.HYBRID,
        pollingInterval: 0.01,
      });
      await hot.initialize();
      stoppers.push(
        () => hot.shutdown(),
        () => manager.close(),
      );
      await manager.getOrCreate("bot-1");
      await backend.register("bot-1", { v: 2 });
      await eventually(() => !manager.isCached("bot-1"));
      expect((await manager.getOrCreate("bot-1")).config).toEqual({ v: 2 });
    });

    it("hot-reload.reload - rebuilds now, counts, calls callbacks", async () => {
      await backend.register("bot-1", {});
      const manager = new RecordingManager({ backend });
      const hot = new HotReload({ cachingManager: manager, autoStart: false });
      await hot.initialize();
      stoppers.push(
        () => hot.close(),
        () => manager.close(),
      );
      expect(hot.isRunning).toBe(false);
      const reloaded: string[] = [];
      hot.addReloadCallback((id) => void reloaded.push(id));
      const first = await manager.getOrCreate("bot-1");
      const second = await hot.reload("bot-1");
      expect(second).not.toBe(first);
      expect(first.destroyed).toBe(1);
      expect(hot.reloadCount).toBe(1);
      expect(reloaded).toEqual(["bot-1"]);
      expect(await hot.reloadAll()).toBe(1);
      expect(hot.getStats().lastReloadTime instanceof Date).toBe(true);
    });
  });
}
