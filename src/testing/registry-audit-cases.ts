/**
 * The `RegistryBackend` suite's cases for version diffs (`diff.*`, RFC 6902 JSON Patch) and the
 * audit trail (`audit.*`), registered by `registryBackendSuite`.
 * @module
 */
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { Registration } from "../core/registry/registration.ts";
import { applyJsonPatch } from "../core/util/json-patch.ts";
import { expectRejects, type TestHarness } from "./harness.ts";
import { walkPages } from "./record-store-helpers.ts";
import type { RegistryLabelContext } from "./registry-label-cases.ts";

/** What a diff compares, as the contract describes it: `{ config, status, metadata, labels }`. */
function documentOf(reg: Registration | null): unknown {
  if (reg === null) return null;
  const labels: Record<string, unknown> = {};
  for (const [name, version] of Object.entries(reg.labels)) {
    const shares = reg.splits[name];
    labels[name] = shares ? { version, split: shares } : { version };
  }
  return { config: reg.config, status: reg.status, metadata: reg.metadata, labels };
}

/**
 * Registers the diff and audit cases (inside the registry suite's describe).
 * @example
 * registryAuditCases(h, context);
 */
export function registryAuditCases(h: TestHarness, ctx: RegistryLabelContext): void {
  const { it, expect } = h;

  it("diff.patch - an RFC 6902 patch that turns one version's document into the other's", async () => {
    const backend = ctx.backend();
    await backend.register("d", { llm: { t: 0.2, m: "a" }, tools: ["x", "y"], "a/b~c": 1 });
    await backend.register(
      "d",
      { llm: { t: 0.7, m: "a" }, tools: ["x"], extra: { on: true } },
      { metadata: { team: "t" } },
    );
    const patch = await backend.diff("d", 1, 2);
    expect(patch.find((op) => op.path === "/config/llm/t")).toEqual({
      op: "replace",
      path: "/config/llm/t",
      value: 0.7,
    });
    expect(patch.map((op) => op.path).sort()).toEqual(
      [
        "/config/a~1b~0c",
        "/config/extra",
        "/config/llm/t",
        "/config/tools/1",
        "/metadata/team",
      ].sort(),
    );
    const [v1, v2] = [await backend.getVersion("d", 1), await backend.getVersion("d", 2)];
    expect(applyJsonPatch(documentOf(v1), patch)).toEqual(documentOf(v2));
    expect(applyJsonPatch(documentOf(v2), await backend.diff("d", 2, 1))).toEqual(documentOf(v1));
    expect(await backend.diff("d", 2, 2)).toEqual([]);
  });

  ctx.itLabels("diff.labels - a label move shows as /labels/<name>", async () => {
    const backend = ctx.backend();
    await backend.register("d", { v: 1 });
    await backend.register("d", { v: 2 });
    await backend.setLabel("d", "stable", { version: 1 });
    await backend.setLabel("d", "stable", { version: 2 });
    expect(await backend.diff("d", 2, 3)).toEqual([
      { op: "add", path: "/labels/stable", value: { version: 1 } },
    ]);
    expect(await backend.diff("d", 3, 4)).toEqual([
      { op: "replace", path: "/labels/stable/version", value: 2 },
    ]);
  });

  it("diff.missing - a deleted bot or a version not kept: NotFoundError naming it; bad numbers: ValidationError", async () => {
    const backend = ctx.backend();
    await backend.register("d", { v: 1 });
    await backend.register("d", { v: 2 });
    await expectRejects(h, backend.diff("d", 1, 7), NotFoundError, "7");
    await expectRejects(h, backend.diff("d", 9, 1), NotFoundError, "9");
    await backend.unregister("d");
    await expectRejects(h, backend.diff("d", 1, 2), NotFoundError, "'d'");
    await expectRejects(h, backend.diff("ghost", 1, 2), NotFoundError, "ghost");
    await expectRejects(h, backend.diff("d", 0, 1), ValidationError, "from");
  });

  ctx.itLabelsClock(
    "audit.trail - every kept write across bots, oldest first: who, when, why, what changed",
    async () => {
      const backend = ctx.backend();
      const alice = ctx.by("alice", "first");
      const bob = ctx.by("bob");
      await backend.register("a", { t: 1 }, alice.options);
      ctx.advance(1000);
      await backend.register("b", { t: 1 });
      ctx.advance(1000);
      await backend.update("a", { t: 2 }, bob.options);
      ctx.advance(1000);
      await backend.setLabel("a", "stable", { version: 1 }, ctx.by("carol", "pin").options);
      ctx.advance(1000);
      await backend.deactivate("b");
      ctx.advance(1000);
      await backend.register("b", { t: 1 }, { status: "active" });
      const { items, cursor } = await backend.audit();
      expect(cursor).toBeUndefined();
      expect(items.map((e) => [e.botId, e.version, e.action])).toEqual([
        ["a", 1, "created"],
        ["b", 1, "created"],
        ["a", 2, "updated"],
        ["a", 3, "labels"],
        ["b", 2, "deactivated"],
        ["b", 3, "activated"],
      ]);
      expect(items.map((e) => [e.actor, e.reason])).toEqual([
        [alice.actor, "first"],
        [ctx.unnamed, null],
        [bob.actor, null],
        [ctx.by("carol").actor, "pin"],
        [ctx.unnamed, null],
        [ctx.unnamed, null],
      ]);
      expect(items[2]?.changed).toEqual(["/config/t"]);
      expect(items[3]?.changed).toEqual(["/labels/stable"]);
      expect(items[3]?.labels).toEqual({ stable: { version: 1 } });
      expect(items[0]?.changed).toEqual(["/config", "/status", "/metadata", "/labels"]);
      expect(items.map((e) => e.at.getTime() - (items[0] as { at: Date }).at.getTime())).toEqual([
        0, 1000, 2000, 3000, 4000, 5000,
      ]);
      // Since a time (inclusive), and one bot.
      const since = new Date((items[3] as { at: Date }).at.getTime());
      const later = await backend.audit({ since });
      expect(later.items.map((e) => [e.botId, e.version])).toEqual([
        ["a", 3],
        ["b", 2],
        ["b", 3],
      ]);
      const onlyB = await backend.audit({ since: since.toISOString(), botId: "b" });
      expect(onlyB.items.map((e) => e.version)).toEqual([2, 3]);
      // Pages of two walk every entry once, in the same order.
      const pages = await walkPages((c) =>
        backend.audit(c === undefined ? { limit: 2 } : { cursor: c, limit: 2 }),
      );
      expect(pages.flatMap((p) => p.items.map((e) => `${e.botId}@${e.version}`))).toEqual(
        items.map((e) => `${e.botId}@${e.version}`),
      );
    },
  );

  it("audit.deleted-bot - a hard delete takes the bot's entries with its history", async () => {
    const backend = ctx.backend();
    await backend.register("gone", { v: 1 });
    await backend.register("kept", { v: 1 });
    await backend.unregister("gone");
    expect((await backend.audit()).items.map((e) => e.botId)).toEqual(["kept"]);
  });

  it("audit.rejects-bad-input - since, cursor and limit are checked (ValidationError naming them)", async () => {
    const backend = ctx.backend();
    await expectRejects(h, backend.audit({ since: "yesterday" }), ValidationError, "since");
    await expectRejects(h, backend.audit({ cursor: "nope" }), ValidationError, "cursor");
    await expectRejects(h, backend.audit({ limit: 0 }), ValidationError, "limit");
  });
}
