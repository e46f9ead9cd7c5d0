/**
 * The caching-manager suite's cases for labels (`labels.*`): `getOrCreate(botId, { label, key })`
 * serves the version a label points at, a label move on the bus is served at once, a split
 * resolves one key to one version, and labelled instances follow the cache's rules (single
 * flight, TTL, destroyed exactly once). Registered by `cachingManagerSuite`.
 * @module
 */
import { ConfigCachingManager } from "../core/caching/config-caching-manager.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import type { RecordingManager } from "./caching-recording.ts";
import { deferred, eventually, expectRejects, type TestFn, type TestHarness } from "./harness.ts";

/** What the suite's case files get: the current backend and fresh managers over it. */
export interface CachingManagerSuiteContext {
  backend(): RegistryBackend;
  /** A new manager over the backend (on the suite's bus unless `withoutBus`), closed after the case. */
  manager(options?: { withoutBus?: boolean }): RecordingManager;
  /** The suite's clock. */
  now(): number;
  advance(ms: number): void;
  /** Closes `m` after the case. */
  track(m: { close(): Promise<void> }): void;
}

/**
 * Registers the label cases (inside the caching suite's describe).
 * @example
 * cachingLabelCases(h, context, itLabels);
 */
export function cachingLabelCases(
  h: TestHarness,
  ctx: CachingManagerSuiteContext,
  it: TestFn,
): void {
  const { expect } = h;
  /** Bot `b` at versions 1 and 2 ({ v: 1 }, { v: 2 }), `stable` → 1 (version 3). */
  const setUp = async (backend: RegistryBackend): Promise<void> => {
    await backend.register("b", { v: 1 });
    await backend.register("b", { v: 2 });
    await backend.setLabel("b", "stable", { version: 1 });
  };

  it("labels.serves-labelled-version - the label's version, cached per version; serve() reports it", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager();
    const stable = await manager.getOrCreate("b", { label: "stable" });
    expect(stable.config).toEqual({ v: 1 });
    expect(await manager.getOrCreate("b", { label: "stable" })).toBe(stable);
    const latest = await manager.getOrCreate("b");
    expect(latest.config).toEqual({ v: 2 });
    expect(await manager.getOrCreate("b", { label: "latest" })).toBe(latest);
    const served = await manager.serve("b", { label: "stable" });
    expect([served.instance, served.version, served.label]).toEqual([stable, 1, "stable"]);
    expect((await manager.serve("b")).version).toBe(3);
    expect(manager.created).toHaveLength(2);
    const stats = manager.getCacheStats();
    expect([stats.size, stats.creations]).toEqual([2, 2]);
  });

  it("labels.move-is-served-at-once - a label move (an updated event) serves the new version; the old instance is destroyed once", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager();
    const before = await manager.getOrCreate("b", { label: "stable" });
    await backend.setLabel("b", "stable", { version: 2 });
    await eventually(async () => (await manager.getOrCreate("b", { label: "stable" })) !== before);
    expect((await manager.getOrCreate("b", { label: "stable" })).config).toEqual({ v: 2 });
    await eventually(() => before.destroyed === 1);
    expect(manager.created.every((bot) => bot.destroyed <= 1)).toBe(true);
  });

  it("labels.split-by-key - a key gets the version the registry resolves for it, every time; one instance per version", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    await backend.setLabel("b", "canary", {
      split: [
        { version: 1, percent: 50 },
        { version: 2, percent: 50 },
      ],
    });
    const manager = ctx.manager();
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const key = `user-${i}`;
      const expected = (await backend.getLabeled("b", "canary", { key, peek: true }))?.version;
      const served = await manager.serve("b", { label: "canary", key });
      expect(served.version).toBe(expected);
      expect(await manager.getOrCreate("b", { label: "canary", key })).toBe(served.instance);
      expect(served.instance.config).toEqual({ v: served.version });
      seen.add(served.version);
    }
    expect([...seen].sort()).toEqual([1, 2]);
    expect(manager.created).toHaveLength(2);
    expect((await manager.serve("b", { label: "canary" })).version).toBe(1);
  });

  it("labels.missing - a missing label, bot or an inactive bot: NotFoundError; a bad label: ValidationError", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager();
    await expectRejects(h, manager.getOrCreate("b", { label: "nope" }), NotFoundError, "nope");
    await expectRejects(h, manager.getOrCreate("ghost", { label: "stable" }), NotFoundError);
    await expectRejects(h, manager.getOrCreate("b", { label: "a/b" }), ValidationError, "label");
    await backend.deactivate("b");
    await expectRejects(h, manager.getOrCreate("b", { label: "stable" }), NotFoundError, "b");
    expect(manager.created).toHaveLength(0);
  });

  it("labels.single-flight - concurrent callers of one label share one creation", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager();
    const gate = deferred();
    manager.gate = gate.promise;
    const calls = Array.from({ length: 20 }, () => manager.getOrCreate("b", { label: "stable" }));
    gate.resolve();
    const bots = await Promise.all(calls);
    expect(new Set(bots).size).toBe(1);
    expect(manager.created).toHaveLength(1);
  });

  it("labels.invalidate - invalidate and close destroy labelled instances exactly once", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager();
    const stable = await manager.getOrCreate("b", { label: "stable" });
    const latest = await manager.getOrCreate("b");
    expect(await manager.invalidate("b")).toBe(true);
    expect([stable.destroyed, latest.destroyed]).toEqual([1, 1]);
    expect(manager.cacheSize).toBe(0);
    const again = await manager.getOrCreate("b", { label: "stable" });
    expect(again).not.toBe(stable);
    await manager.close();
    expect(manager.created.map((bot) => bot.destroyed)).toEqual([1, 1, 1]);
  });

  it("labels.ttl - without a bus, a moved label is served once the TTL has passed", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const manager = ctx.manager({ withoutBus: true });
    await manager.getOrCreate("b", { label: "stable" });
    await backend.setLabel("b", "stable", { version: 2 });
    expect((await manager.getOrCreate("b", { label: "stable" })).config).toEqual({ v: 1 });
    ctx.advance(300_000);
    expect((await manager.getOrCreate("b", { label: "stable" })).config).toEqual({ v: 2 });
  });

  it("labels.config-manager - ConfigCachingManager.get with a label resolves that version", async () => {
    const backend = ctx.backend();
    await setUp(backend);
    const m = new ConfigCachingManager({ backend, now: ctx.now });
    ctx.track(m);
    const resolved = await m.get("b", { label: "stable" });
    expect([resolved.version, resolved.config]).toEqual([1, { v: 1 }]);
    expect((await m.get("b")).version).toBe(3);
  });
}
