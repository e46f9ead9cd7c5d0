/**
 * The `RegistryBackend` suite's cases for history, rollback, retention and paged listing
 * (`history.*`, `rollback.*`, `retention.*`, `list.pages`), registered by `registryBackendSuite`.
 * @module
 */
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import type { Event } from "../core/events/event.ts";
import type { Page } from "../core/registry/record-store.ts";
import type { Registration } from "../core/registry/registration.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { expectRejects, type FakeClock, type TestFn, type TestHarness } from "./harness.ts";
import { walkPages } from "./record-store-helpers.ts";

/** What the cases need from the suite that registers them. */
export interface RegistryHistoryContext {
  backend(): RegistryBackend;
  events(): Event[];
  clock(): FakeClock;
  itClock: TestFn;
  itRetention: TestFn;
  /** Another backend over fresh storage, keeping `historyLimit` versions. */
  create(historyLimit: number): Promise<RegistryBackend> | RegistryBackend;
  destroy(backend: RegistryBackend): Promise<void>;
}

const walk = walkPages<Registration>;

const versions = (page: Page<Registration>): number[] => page.items.map((r) => r.version);

/**
 * Registers the history, rollback, retention and paging cases (inside the registry suite's describe).
 * @example
 * registryHistoryCases(h, { backend: () => backend, events: () => events, clock: () => clock, itClock, itRetention, create, destroy });
 */
export function registryHistoryCases(h: TestHarness, ctx: RegistryHistoryContext): void {
  const { it, expect } = h;

  it("history.every-write - register, update, deactivate, re-register: each a version, newest first", async () => {
    const backend = ctx.backend();
    await backend.register("h", { v: 1 }, { metadata: { team: "a" } });
    await backend.update("h", { v: 2 });
    await backend.deactivate("h");
    await backend.register("h", { v: 4 });
    const history = await backend.history("h");
    expect(versions(history)).toEqual([4, 3, 2, 1]);
    expect(history.items.map((r) => [r.config, r.status])).toEqual([
      [{ v: 4 }, "active"],
      [{ v: 2 }, "inactive"],
      [{ v: 2 }, "active"],
      [{ v: 1 }, "active"],
    ]);
    expect(history.items.map((r) => r.metadata)).toEqual([
      { team: "a" },
      { team: "a" },
      { team: "a" },
      { team: "a" },
    ]);
    expect(history.cursor).toBeUndefined();
  });

  it("history.pages - limit and cursor walk every version once, newest first", async () => {
    const backend = ctx.backend();
    for (let v = 1; v <= 5; v++) await backend.register("h", { v });
    const pages = await walk((cursor) =>
      backend.history("h", cursor === undefined ? { limit: 2 } : { cursor, limit: 2 }),
    );
    expect(pages.map(versions)).toEqual([[5, 4], [3, 2], [1]]);
    await expectRejects(h, backend.history("h", { limit: 0 }), ValidationError, "limit");
  });

  it("history.get-version - a kept version; null when missing; ValidationError for a bad number", async () => {
    const backend = ctx.backend();
    await backend.register("h", { v: 1 });
    const second = await backend.register("h", { v: 2 });
    const first = await backend.getVersion("h", 1);
    expect(first?.config).toEqual({ v: 1 });
    expect(first?.version).toBe(1);
    expect((await backend.getVersion("h", 2))?.etag).toBe(second.etag);
    expect(await backend.getVersion("h", 3)).toBeNull();
    expect(await backend.getVersion("ghost", 1)).toBeNull();
    expect(await backend.history("ghost")).toEqual({ items: [] });
    for (const bad of [0, -1, 1.5])
      await expectRejects(h, backend.getVersion("h", bad), ValidationError, "version");
  });

  it("history.unregister-clears - a hard delete takes the history; a new register starts at 1", async () => {
    const backend = ctx.backend();
    for (let v = 1; v <= 3; v++) await backend.register("h", { v });
    await backend.unregister("h");
    expect(await backend.history("h")).toEqual({ items: [] });
    expect(await backend.getVersion("h", 2)).toBeNull();
    const again = await backend.register("h", { again: true });
    expect(again.version).toBe(1);
    expect(versions(await backend.history("h"))).toEqual([1]);
  });

  ctx.itClock("history.not-on-access - recording an access adds no version", async () => {
    const backend = ctx.backend();
    await backend.register("h", { v: 1 });
    ctx.clock().advance(120_000);
    await backend.get("h");
    await backend.getConfig("h");
    expect(versions(await backend.history("h"))).toEqual([1]);
  });

  it("rollback.new-version - a new version with the old config, status and metadata (same etag)", async () => {
    const backend = ctx.backend();
    const v1 = await backend.register("r", { model: "a" }, { metadata: { note: "first" } });
    await backend.update("r", { model: "b" }, { metadata: { note: "second" } });
    await backend.deactivate("r");
    const rolled = await backend.rollback("r", 1);
    expect(rolled.version).toBe(4);
    expect(rolled.config).toEqual({ model: "a" });
    expect(rolled.status).toBe("active");
    expect(rolled.metadata).toEqual({ note: "first" });
    expect(rolled.etag).toBe(v1.etag);
    expect(rolled.createdAt.getTime()).toBe(v1.createdAt.getTime());
    expect((await backend.peek("r"))?.version).toBe(4);
    expect(versions(await backend.history("r"))).toEqual([4, 3, 2, 1]);
    // The version rolled back to is untouched.
    expect((await backend.getVersion("r", 1))?.version).toBe(1);
    expect(await backend.exists("r")).toBe(true);
  });

  it("rollback.event - publishes updated with the new version", async () => {
    const backend = ctx.backend();
    await backend.register("r", { v: 1 });
    await backend.register("r", { v: 2 });
    await backend.rollback("r", 1);
    const last = ctx.events()[ctx.events().length - 1];
    expect([last?.type, last?.payload.bot_id, last?.payload.version]).toEqual(["updated", "r", 3]);
  });

  it("rollback.if-version - a stale ifVersion is a ConflictError and nothing is written", async () => {
    const backend = ctx.backend();
    await backend.register("r", { v: 1 });
    await backend.register("r", { v: 2 });
    const before = ctx.events().length;
    await expectRejects(h, backend.rollback("r", 1, { ifVersion: 1 }), ConflictError, "version");
    expect((await backend.peek("r"))?.version).toBe(2);
    expect(ctx.events()).toHaveLength(before);
    expect((await backend.rollback("r", 1, { ifVersion: 2 })).version).toBe(3);
  });

  it("rollback.missing - a missing bot or version is a NotFoundError naming them; nothing written", async () => {
    const backend = ctx.backend();
    await backend.register("r", { v: 1 });
    const before = ctx.events().length;
    const error = await expectRejects(h, backend.rollback("r", 9), NotFoundError, "'r'");
    expect((error as Error).message).toContain("9");
    await expectRejects(h, backend.rollback("ghost", 1), NotFoundError, "ghost");
    await expectRejects(h, backend.rollback("r", 0), ValidationError, "version");
    expect((await backend.peek("r"))?.version).toBe(1);
    expect(ctx.events()).toHaveLength(before);
  });

  ctx.itRetention("retention.keeps-last-n - historyLimit keeps the newest N versions", async () => {
    const backend = await ctx.create(2);
    try {
      await backend.initialize();
      for (let v = 1; v <= 5; v++) await backend.register("k", { v });
      expect(versions(await backend.history("k"))).toEqual([5, 4]);
      expect(await backend.getVersion("k", 3)).toBeNull();
      expect((await backend.peek("k"))?.config).toEqual({ v: 5 });
    } finally {
      await ctx.destroy(backend);
    }
  });

  ctx.itRetention(
    "retention.rollback-to-pruned - NotFoundError; a kept one still works",
    async () => {
      const backend = await ctx.create(2);
      try {
        await backend.initialize();
        for (let v = 1; v <= 5; v++) await backend.register("k", { v });
        await expectRejects(h, backend.rollback("k", 1), NotFoundError, "1");
        const rolled = await backend.rollback("k", 4);
        expect([rolled.version, rolled.config]).toEqual([6, { v: 4 }]);
        expect(versions(await backend.history("k"))).toEqual([6, 5]);
      } finally {
        await ctx.destroy(backend);
      }
    },
  );

  it("list.pages - listPage walks every bot once in id order; status filters; limit checked", async () => {
    const backend = ctx.backend();
    const ids = ["g", "c", "a", "f", "b", "e", "d"];
    for (const id of ids)
      await backend.register(
        id,
        { id },
        { status: id === "b" || id === "e" ? "inactive" : "active" },
      );
    const pages = await walk((cursor) =>
      backend.listPage(cursor === undefined ? { limit: 3 } : { cursor, limit: 3 }),
    );
    for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(3);
    expect(pages.flatMap((p) => p.items.map((r) => r.botId))).toEqual([...ids].sort());
    const active = await walk((cursor) =>
      backend.listPage(
        cursor === undefined
          ? { status: "active", limit: 2 }
          : { status: "active", cursor, limit: 2 },
      ),
    );
    expect(active.flatMap((p) => p.items.map((r) => r.botId))).toEqual(["a", "c", "d", "f", "g"]);
    await expectRejects(h, backend.listPage({ limit: 1001 }), ValidationError, "limit");
    expect((await backend.listAll()).map((r) => r.botId)).toEqual([...ids].sort());
  });
}
