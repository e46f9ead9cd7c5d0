/**
 * The `RegistryBackend` suite's cases for what a write carries beyond its content — the write
 * context (`write-context.*`: who and why, kept per version and sent in events) — and for the
 * upsert of `update({ createIfMissing })`, registered by `registryBackendSuite`.
 * @module
 */
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { Event } from "../core/events/event.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { expectRejects, type TestFn, type TestHarness } from "./harness.ts";

/** What the cases need from the suite that registers them. */
export interface RegistryWriteContext {
  backend(): RegistryBackend;
  events(): Event[];
  /** `it`, or a skip when the backend keeps no write context. */
  itWriteContext: TestFn;
}

/**
 * Registers the write-context and upsert cases (inside the registry suite's describe).
 * @example
 * registryWriteCases(h, { backend: () => backend, events: () => events, itWriteContext });
 */
export function registryWriteCases(h: TestHarness, ctx: RegistryWriteContext): void {
  const { it, expect } = h;

  ctx.itWriteContext(
    "write-context.kept - actor and reason on the registration, per version in history, in events",
    async () => {
      const backend = ctx.backend();
      const r1 = await backend.register("wc", { v: 1 }, { actor: "alice", reason: "first" });
      expect(r1.writeContext).toEqual({ actor: "alice", reason: "first" });
      const r2 = await backend.update("wc", { v: 2 }, { actor: "svc:deploy" });
      expect(r2.writeContext).toEqual({ actor: "svc:deploy" });
      await backend.deactivate("wc");
      const r4 = await backend.rollback("wc", 1, { actor: "bob", reason: "back to v1" });
      expect([r4.version, r4.config, r4.writeContext]).toEqual([
        4,
        { v: 1 },
        { actor: "bob", reason: "back to v1" },
      ]);
      const r5 = await backend.update("wc", { v: 5 });
      expect(r5.writeContext).toBeUndefined();
      const history = await backend.history("wc");
      expect(history.items.map((r) => [r.version, r.writeContext])).toEqual([
        [5, undefined],
        [4, { actor: "bob", reason: "back to v1" }],
        [3, undefined],
        [2, { actor: "svc:deploy" }],
        [1, { actor: "alice", reason: "first" }],
      ]);
      expect((await backend.getVersion("wc", 2))?.writeContext).toEqual({ actor: "svc:deploy" });
      expect((await backend.peek("wc"))?.writeContext).toBeUndefined();
      expect((await backend.getVersion("wc", 4))?.toDict().ext).toEqual({
        write_context: { actor: "bob", reason: "back to v1" },
      });
      expect(
        ctx.events().map((e) => [e.type, e.payload.version, e.payload.actor, e.payload.reason]),
      ).toEqual([
        ["created", 1, "alice", "first"],
        ["updated", 2, "svc:deploy", undefined],
        ["deactivated", 3, undefined, undefined],
        ["updated", 4, "bob", "back to v1"],
        ["updated", 5, undefined, undefined],
      ]);
      // No keys for what the write did not name.
      expect("actor" in (ctx.events()[2]?.payload ?? {})).toBe(false);
      expect("reason" in (ctx.events()[1]?.payload ?? {})).toBe(false);
    },
  );

  ctx.itWriteContext(
    "write-context.rejects-invalid - ValidationError naming the field, nothing written, no event",
    async () => {
      const backend = ctx.backend();
      await backend.register("wc", { v: 1 });
      const before = ctx.events().length;
      const bad: [Record<string, unknown>, string][] = [
        [{ actor: "" }, "actor"],
        [{ actor: "x".repeat(257) }, "actor"],
        [{ actor: "a", reason: "x".repeat(1025) }, "reason"],
        [{ reason: "no actor" }, "actor"],
        [{ actor: 42 }, "actor"],
      ];
      for (const [options, field] of bad) {
        await expectRejects(h, backend.register("wc2", { v: 1 }, options), ValidationError, field);
        await expectRejects(h, backend.update("wc", { v: 2 }, options), ValidationError, field);
        await expectRejects(h, backend.rollback("wc", 1, options), ValidationError, field);
      }
      expect(await backend.peek("wc2")).toBeNull();
      expect((await backend.peek("wc"))?.version).toBe(1);
      expect(ctx.events().length).toBe(before);
      const edge = await backend.update(
        "wc",
        { v: 2 },
        { actor: "a".repeat(256), reason: "r".repeat(1024) },
      );
      expect(edge.writeContext?.actor).toHaveLength(256);
    },
  );

  it("update.create-if-missing - creates version 1 (active, created); an existing bot keeps its status", async () => {
    const backend = ctx.backend();
    const created = await backend.update("up", { v: 1 }, { createIfMissing: true });
    expect([created.version, created.status, created.config]).toEqual([1, "active", { v: 1 }]);
    await backend.register("off", { v: 1 }, { status: "inactive", metadata: { team: "t" } });
    const kept = await backend.update("off", { v: 2 }, { createIfMissing: true });
    expect([kept.version, kept.status, kept.metadata]).toEqual([2, "inactive", { team: "t" }]);
    // With ifVersion the bot must exist (a version needs one); without the flag too.
    await expectRejects(
      h,
      backend.update("ghost", { v: 1 }, { createIfMissing: true, ifVersion: 1 }),
      NotFoundError,
    );
    await expectRejects(h, backend.update("ghost", { v: 1 }), NotFoundError);
    expect(await backend.peek("ghost")).toBeNull();
    expect(ctx.events().map((e) => [e.type, e.payload.bot_id])).toEqual([
      ["created", "up"],
      ["created", "off"],
      ["updated", "off"],
    ]);
  });
}
