/**
 * The `RegistryBackend` suite's cases for labels and percentage splits (`labels.*`, `split.*`,
 * `retention.keeps-labelled`), registered by `registryBackendSuite`. A backend that cannot
 * write labels (`capabilities.labels` false) shows them as skipped, with the reason.
 * @module
 */
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import type { Event } from "../core/events/event.ts";
import type { LabelTarget } from "../core/registry/labels.ts";
import type { RegistryBackend, WriteContextOptions } from "../core/registry/types.ts";
import { expectRejects, type TestFn, type TestHarness } from "./harness.ts";

/** What the label, split, diff and audit cases need from the suite that registers them. */
export interface RegistryLabelContext {
  backend(): RegistryBackend;
  events(): Event[];
  /** `it`, or a skip when the backend writes no labels. */
  itLabels: TestFn;
  /** As `itLabels`, also skipped when the backend takes no `historyLimit`. */
  itLabelsRetention: TestFn;
  /** As `itLabels`, also skipped when the backend keeps its own clock. */
  itLabelsClock: TestFn;
  /** Advances the backend's clock. */
  advance(ms: number): void;
  /** Another backend over fresh storage, keeping `historyLimit` versions. */
  create(historyLimit: number): Promise<RegistryBackend> | RegistryBackend;
  destroy(backend: RegistryBackend): Promise<void>;
  /**
   * The options of a write by `actor` for `reason`, and the actor the backend then records (an
   * HTTP backend records its token's name, and sends the reason alone).
   */
  by(actor: string, reason?: string): { options: WriteContextOptions; actor: string };
  /** The actor recorded for a write that names none (`null`, or an HTTP backend's token's name). */
  unnamed: string | null;
}

const split = (...shares: [number, number][]): LabelTarget => ({
  split: shares.map(([version, percent]) => ({ version, percent })),
});

/** Three versions of bot `b` (configs `{ v: 1 }` … `{ v: 3 }`). */
async function threeVersions(backend: RegistryBackend, id = "b"): Promise<void> {
  for (let v = 1; v <= 3; v++) await backend.register(id, { v });
}

/**
 * Registers the label and split cases (inside the registry suite's describe).
 * @example
 * registryLabelCases(h, context);
 */
export function registryLabelCases(h: TestHarness, ctx: RegistryLabelContext): void {
  const { expect } = h;
  const it = ctx.itLabels;

  it("labels.set - a new version with the same content and the label; updated event naming it", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    const v3 = await backend.peek("b");
    const before = ctx.events().length;
    const set = await backend.setLabel("b", "stable", { version: 2 });
    expect(set).toEqual({
      botId: "b",
      version: 4,
      status: "active",
      labels: { latest: { version: 4 }, stable: { version: 2 } },
    });
    expect(await backend.getLabels("b")).toEqual(set);
    const head = await backend.peek("b");
    expect([head?.version, head?.config, head?.etag, head?.labels]).toEqual([
      4,
      { v: 3 },
      v3?.etag,
      { stable: 2 },
    ]);
    expect((await backend.history("b")).items.map((r) => r.version)).toEqual([4, 3, 2, 1]);
    const events = ctx.events().slice(before);
    expect(
      events.map((e) => [e.type, e.payload.bot_id, e.payload.version, e.payload.label]),
    ).toEqual([["updated", "b", 4, "stable"]]);
    expect(await backend.getLabels("ghost")).toBeNull();
  });

  it("labels.move-and-read - getLabeled serves the version a label names, with the bot's labels", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await backend.setLabel("b", "stable", { version: 1 });
    await backend.setLabel("b", "stable", { version: 2 });
    const served = await backend.getLabeled("b", "stable");
    expect([served?.version, served?.config, served?.labels]).toEqual([2, { v: 2 }, { stable: 2 }]);
    const latest = await backend.getLabeled("b", "latest", { peek: true });
    expect([latest?.version, latest?.config]).toEqual([5, { v: 3 }]);
    await expectRejects(h, backend.getLabeled("b", "nope"), NotFoundError, "nope");
    expect(await backend.getLabeled("ghost", "stable")).toBeNull();
    await expectRejects(h, backend.getLabeled("b", "a/b"), ValidationError, "label");
  });

  it("labels.unchanged-writes-nothing - setting a label where it points: no version, no event", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await backend.setLabel("b", "stable", { version: 2 });
    const revision = await backend.revision();
    const before = ctx.events().length;
    const again = await backend.setLabel("b", "stable", { version: 2 });
    expect(again.version).toBe(4);
    expect((await backend.peek("b"))?.version).toBe(4);
    expect(ctx.events()).toHaveLength(before);
    expect(await backend.revision()).toBe(revision);
  });

  it("labels.carried - updates, rollbacks and deactivation keep the labels; an inactive bot serves none", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await backend.setLabel("b", "stable", { version: 2 });
    expect((await backend.update("b", { v: 5 })).labels).toEqual({ stable: 2 });
    expect((await backend.rollback("b", 1)).labels).toEqual({ stable: 2 });
    await backend.deactivate("b");
    expect((await backend.getLabels("b"))?.labels.stable).toEqual({ version: 2 });
    expect((await backend.getLabels("b"))?.status).toBe("inactive");
    await expectRejects(h, backend.getLabeled("b", "stable"), NotFoundError, "inactive");
  });

  it("labels.delete - removes a label as a new version; false when the label or bot is missing", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await backend.setLabel("b", "stable", { version: 2 });
    expect(await backend.deleteLabel("b", "stable")).toBe(true);
    const head = await backend.peek("b");
    expect([head?.version, head?.labels]).toEqual([5, {}]);
    const before = ctx.events().length;
    expect(await backend.deleteLabel("b", "stable")).toBe(false);
    expect(await backend.deleteLabel("ghost", "stable")).toBe(false);
    expect(ctx.events()).toHaveLength(before);
    expect((await backend.peek("b"))?.version).toBe(5);
  });

  it("labels.rejects-bad-input - bad names and targets: ValidationError, nothing written", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    for (const name of ["latest", "a/b", "", "x".repeat(257)])
      await expectRejects(h, backend.setLabel("b", name, { version: 1 }), ValidationError, "label");
    const targets: unknown[] = [{}, { version: 0 }, { version: 1.5 }, { version: 1, split: [] }, 3];
    for (const target of targets)
      await expectRejects(h, backend.setLabel("b", "x", target as LabelTarget), ValidationError);
    expect((await backend.peek("b"))?.version).toBe(3);
    expect(ctx.events()).toHaveLength(3);
  });

  it("labels.missing-version - a version that does not exist is a ConflictError naming it; a missing bot a NotFoundError", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await backend.deactivate("b");
    await backend.register("b", { v: 5 });
    const before = ctx.events().length;
    await expectRejects(h, backend.setLabel("b", "stable", { version: 9 }), ConflictError, "9");
    await expectRejects(h, backend.setLabel("b", "stable", { version: 4 }), ConflictError, "4");
    await expectRejects(h, backend.setLabel("ghost", "stable", { version: 1 }), NotFoundError);
    expect((await backend.peek("b"))?.version).toBe(5);
    expect(ctx.events()).toHaveLength(before);
  });

  it("labels.if-version - a stale ifVersion is a ConflictError; the current one moves the label", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await expectRejects(
      h,
      backend.setLabel("b", "stable", { version: 2 }, { ifVersion: 2 }),
      ConflictError,
      "version",
    );
    expect((await backend.setLabel("b", "stable", { version: 2 }, { ifVersion: 3 })).version).toBe(
      4,
    );
    await expectRejects(h, backend.deleteLabel("b", "stable", { ifVersion: 3 }), ConflictError);
    expect(await backend.deleteLabel("b", "stable", { ifVersion: 4 })).toBe(true);
  });

  it("labels.write-context - a label move keeps who moved it and why, and says so in its event", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    const { options, actor } = ctx.by("alice", "ship v2");
    await backend.setLabel("b", "stable", { version: 2 }, options);
    expect((await backend.peek("b"))?.writeContext).toEqual({ actor, reason: "ship v2" });
    const last = ctx.events().at(-1);
    expect([last?.payload.actor, last?.payload.reason, last?.payload.label]).toEqual([
      actor,
      "ship v2",
      "stable",
    ]);
  });

  ctx.itLabelsRetention(
    "retention.keeps-labelled - historyLimit never drops a version a label names; a pruned one cannot be labelled (ConflictError)",
    async () => {
      const backend = await ctx.create(2);
      try {
        await backend.initialize();
        await backend.register("k", { v: 1 });
        await backend.setLabel("k", "stable", { version: 1 });
        for (let v = 3; v <= 5; v++) await backend.register("k", { v });
        expect((await backend.history("k")).items.map((r) => r.version)).toEqual([5, 4, 3, 2, 1]);
        expect((await backend.getLabeled("k", "stable"))?.config).toEqual({ v: 1 });
        await backend.setLabel("k", "stable", { version: 5 });
        expect((await backend.history("k")).items.map((r) => r.version)).toEqual([6, 5]);
        await expectRejects(h, backend.setLabel("k", "old", { version: 3 }), ConflictError, "3");
      } finally {
        await ctx.destroy(backend);
      }
    },
  );

  it("split.resolve - one key, one version; shares close to their percents; no key: the primary", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    const set = await backend.setLabel("b", "canary", split([2, 90], [3, 10]));
    expect(set.labels.canary).toEqual({
      version: 2,
      split: [
        { version: 2, percent: 90 },
        { version: 3, percent: 10 },
      ],
    });
    expect((await backend.peek("b"))?.labels).toEqual({ canary: 2 });
    const counts = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const served = await backend.getLabeled("b", "canary", { key: `user-${i}`, peek: true });
      const again = await backend.getLabeled("b", "canary", { key: `user-${i}`, peek: true });
      expect(again?.version).toBe(served?.version);
      counts.set(served?.version ?? 0, (counts.get(served?.version ?? 0) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([2, 3]);
    expect(counts.get(3) ?? 0).toBeGreaterThanOrEqual(8);
    expect(counts.get(3) ?? 0).toBeLessThanOrEqual(36);
    expect((await backend.getLabeled("b", "canary"))?.version).toBe(2);
  });

  it("split.grows-by-adding-keys - raising the last share keeps its keys and only adds others", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    const served = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 100; i++)
        out.push(
          (await backend.getLabeled("b", "canary", { key: `k${i}`, peek: true }))?.version ?? 0,
        );
      return out;
    };
    await backend.setLabel("b", "canary", split([2, 80], [3, 20]));
    const before = await served();
    await backend.setLabel("b", "canary", split([2, 50], [3, 50]));
    const after = await served();
    for (let i = 0; i < 100; i++) if (before[i] === 3) expect(after[i]).toBe(3);
    expect(after.filter((v) => v === 3).length).toBeGreaterThan(
      before.filter((v) => v === 3).length,
    );
  });

  it("split.rejects-bad-input - not adding up to 100, a version twice, bad percents: ValidationError; a missing version: ConflictError; nothing written", async () => {
    const backend = ctx.backend();
    await threeVersions(backend);
    await expectRejects(
      h,
      backend.setLabel("b", "c", split([2, 90], [3, 5])),
      ValidationError,
      "95",
    );
    await expectRejects(
      h,
      backend.setLabel("b", "c", split([2, 50], [2, 50])),
      ValidationError,
      "twice",
    );
    for (const bad of [split([2, 101], [3, -1]), split([2, 50.5], [3, 49.5]), { split: [] }])
      await expectRejects(h, backend.setLabel("b", "c", bad), ValidationError, "split");
    await expectRejects(h, backend.setLabel("b", "c", split([2, 90], [7, 10])), ConflictError, "7");
    expect((await backend.peek("b"))?.version).toBe(3);
    const one = await backend.setLabel("b", "c", split([2, 100]));
    expect(one.labels.c).toEqual({ version: 2 });
  });
}
