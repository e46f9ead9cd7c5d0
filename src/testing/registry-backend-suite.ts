/**
 * The `RegistryBackend` conformance suite: every backend (memory, store-based, HTTP, …) runs it.
 * Cases carry stable ids, e.g. `register.upsert-keeps-createdAt`.
 * @module
 */
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import type { Event } from "../core/events/event.ts";
import { InMemoryEventBus } from "../core/events/memory-bus.ts";
import type { EventBus } from "../core/events/types.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import type { JsonObject } from "../core/validate.ts";
import { expectRejects, type FakeClock, fakeClock, itUnless, type TestHarness } from "./harness.ts";
import { registryAuditCases } from "./registry-audit-cases.ts";
import { registryHistoryCases } from "./registry-history-cases.ts";
import { type RegistryLabelContext, registryLabelCases } from "./registry-label-cases.ts";
import { registryWriteCases } from "./registry-write-cases.ts";

/** What the suite may assume about a backend. */
export interface RegistryBackendCapabilities {
  /** The backend honours the `now` clock it is given (default true). */
  injectableClock?: boolean;
  /** The backend persists access times at most once per `touchIntervalMs` (default 60 s) (default true). */
  throttledTouch?: boolean;
  /** Data survives `close()` + `initialize()` (default false: memory drops it). */
  persistsOnClose?: boolean;
  /** `create` honours `historyLimit` in its context (default true). */
  retention?: boolean;
  /** Writes keep the `actor`/`reason` they name (default true; over HTTP the actor is the token's). */
  writeContext?: boolean;
  /** Labels and splits can be written (default true): the `labels.*`/`split.*` cases run. */
  labels?: boolean;
  /**
   * The actor the backend records for every write, whatever it names: an HTTP backend's server
   * records its token's name (`"anonymous"` without auth), and the backend sends a `reason`
   * alone. Absent: writes record the actor they name (`null` when none).
   */
  tokenActor?: string;
}

/** What the suite hands to `create`. */
export interface RegistryBackendContext {
  /** The clock to use (ms). */
  now: () => number;
  /** Publish write events here. */
  eventBus: EventBus;
  /** When set, keep only the newest N versions of each bot (the `retention.*` cases set it). */
  historyLimit?: number;
}

/** Options of {@link registryBackendSuite}. */
export interface RegistryBackendSuiteOptions {
  name: string;
  /** A fresh, empty backend (initialized or not). */
  create(context: RegistryBackendContext): Promise<RegistryBackend> | RegistryBackend;
  /** Clean-up after each case (default: `backend.clear()` then `close()`). */
  destroy?(backend: RegistryBackend): Promise<void>;
  capabilities?: RegistryBackendCapabilities;
}

const CONFIG: JsonObject = {
  llm: { provider: "anthropic", model: "claude-3-sonnet" },
  memory: { type: "buffer", max_messages: 10 },
};

/** Runs the `RegistryBackend` conformance suite with the given test harness. */
export function registryBackendSuite(h: TestHarness, options: RegistryBackendSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  const caps = {
    injectableClock: true,
    throttledTouch: true,
    persistsOnClose: false,
    retention: true,
    writeContext: true,
    labels: true,
    ...options.capabilities,
  };
  const noLabels = !caps.labels && "the backend writes no labels (capabilities.labels)";
  const itClock = itUnless(h, !caps.injectableClock && "the backend keeps its own clock");
  const itThrottled = itUnless(
    h,
    (!caps.injectableClock && "the backend keeps its own clock") ||
      (!caps.throttledTouch && "the backend does not throttle access writes"),
  );
  const itRetention = itUnless(h, !caps.retention && "the backend takes no historyLimit");

  describe(`RegistryBackend conformance: ${options.name}`, () => {
    let backend: RegistryBackend;
    let clock: FakeClock;
    let bus: InMemoryEventBus;
    let events: Event[];

    beforeEach(async () => {
      clock = fakeClock();
      bus = new InMemoryEventBus();
      events = [];
      await bus.subscribe("registry:bots", (e) => {
        events.push(e);
      });
      backend = await options.create({ now: clock.now, eventBus: bus });
      await backend.initialize();
    });

    afterEach(async () => {
      if (options.destroy) await options.destroy(backend);
      else {
        await backend.clear();
        await backend.close();
      }
    });

    it("initialize.idempotent - a second initialize keeps the data", async () => {
      await backend.register("bot-1", CONFIG);
      await backend.initialize();
      expect(await backend.exists("bot-1")).toBe(true);
    });

    it("capabilities.declared - consistency, lag and compare-and-set as data, agreeing with visibilityLagMs", () => {
      const c = backend.capabilities;
      expect(["strong", "eventual"]).toContain(c.consistency);
      expect(typeof c.atomicWrites).toBe("boolean");
      expect(Number.isFinite(c.visibilityLagMs) && c.visibilityLagMs >= 0).toBe(true);
      expect(c.consistency === "eventual").toBe(c.visibilityLagMs > 0);
      expect(backend.visibilityLagMs ?? 0).toBe(c.visibilityLagMs);
      // What the label cases assumed (they run, or skip saying why) is what the backend says.
      expect(c.labels ?? false).toBe(caps.labels);
    });

    it("register.new - version 1, active, content etag, equal timestamps", async () => {
      const reg = await backend.register("my-bot", CONFIG);
      expect(reg.botId).toBe("my-bot");
      expect(reg.config).toEqual(CONFIG);
      expect(reg.status).toBe("active");
      expect(reg.version).toBe(1);
      expect(reg.etag).toMatch(/^[0-9a-f]{64}$/);
      expect(reg.createdAt instanceof Date).toBe(true);
      expect(reg.updatedAt.getTime()).toBe(reg.createdAt.getTime());
      expect(reg.toDict().created_at).toMatch(/Z$/);
    });

    itClock(
      "register.upsert-keeps-createdAt - re-register replaces config, bumps version",
      async () => {
        const first = await backend.register("my-bot", CONFIG);
        clock.advance(1000);
        const second = await backend.register("my-bot", { llm: { model: "claude-3-opus" } });
        expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
        expect(second.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
        expect(second.version).toBe(2);
        expect(second.config).toEqual({ llm: { model: "claude-3-opus" } });
        expect(await backend.getConfig("my-bot")).toEqual({ llm: { model: "claude-3-opus" } });
      },
    );

    it("register.etag-is-content - same content gives the same etag, key order ignored", async () => {
      const a = await backend.register("bot-a", { x: 1, y: { b: 2, a: 1 } });
      const again = await backend.register("bot-a", { y: { a: 1, b: 2 }, x: 1 });
      const other = await backend.register("bot-a", { x: 2, y: { a: 1, b: 2 } });
      expect(again.etag).toBe(a.etag);
      expect(again.version).toBe(2);
      expect(other.etag).not.toBe(a.etag);
      const inactive = await backend.register(
        "bot-a",
        { x: 2, y: { a: 1, b: 2 } },
        { status: "inactive" },
      );
      expect(inactive.etag).not.toBe(other.etag);
    });

    it("register.with-status - an inactive registration exists in listAll only", async () => {
      const reg = await backend.register("bot-x", CONFIG, { status: "inactive" });
      expect(reg.status).toBe("inactive");
      expect(await backend.exists("bot-x")).toBe(false);
      expect((await backend.listAll()).map((r) => r.botId)).toEqual(["bot-x"]);
      expect(await backend.listActive()).toEqual([]);
    });

    it("register.metadata - kept, and kept on later writes that omit it", async () => {
      await backend.register("bot-m", CONFIG, { metadata: { team: "support" } });
      const again = await backend.register("bot-m", { a: 1 });
      expect(again.metadata).toEqual({ team: "support" });
    });

    it("register.rejects-bad-ids - ValidationError naming the field, nothing written", async () => {
      for (const bad of ["", "a/b", "..", "a b", "x".repeat(257), "bot\u00e9", "a%2Fb", 42, null]) {
        const error = await expectRejects(
          h,
          backend.register(bad as string, CONFIG),
          ValidationError,
        );
        expect((error as ValidationError).message).toContain("botId");
      }
      expect(await backend.count()).toBe(0);
      expect(await backend.listAll()).toEqual([]);
    });

    it("register.rejects-bad-configs - non-objects and non-JSON values, nothing written", async () => {
      const bads: unknown[] = [
        null,
        [],
        "text",
        42,
        true,
        new Date(),
        { f: () => 1 },
        { n: Number.NaN },
        { big: 10n },
      ];
      for (const bad of bads) {
        const error = await expectRejects(
          h,
          backend.register("bot-1", bad as JsonObject),
          ValidationError,
        );
        expect((error as ValidationError).message).toContain("config");
      }
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expectRejects(
        h,
        backend.register("bot-1", cyclic as JsonObject),
        ValidationError,
        "circular",
      );
      expect(await backend.get("bot-1")).toBeNull();
    });

    it("register.rejects-bad-status - ValidationError, nothing written", async () => {
      await expectRejects(
        h,
        backend.register("bot-1", CONFIG, { status: "paused" as "active" }),
        ValidationError,
        "status",
      );
      expect(await backend.get("bot-1")).toBeNull();
    });

    it("register.rejects-oversized-config - over 1 MiB of JSON", async () => {
      await expectRejects(
        h,
        backend.register("bot-1", { blob: "x".repeat(1024 * 1024 + 1) }),
        ValidationError,
        "exceeds",
      );
      expect(await backend.get("bot-1")).toBeNull();
    });

    it("register.copies-config - later mutation of input or output does not reach storage", async () => {
      const input: JsonObject = { llm: { model: "a" }, list: [1, 2] };
      const reg = await backend.register("bot-1", input);
      (input.llm as JsonObject).model = "mutated";
      (reg.config.list as number[]).push(3);
      const read = await backend.getConfig("bot-1");
      expect(read).toEqual({ llm: { model: "a" }, list: [1, 2] });
      (read?.llm as JsonObject).model = "again";
      expect(await backend.peekConfig("bot-1")).toEqual({ llm: { model: "a" }, list: [1, 2] });
    });

    it("register.nested-config-roundtrip - $resource dicts, lists, unicode, nulls", async () => {
      const config: JsonObject = {
        bot: { registry: { $resource: "registry", type: "databases" } },
        list: [{ a: 1 }, "two", 3.5, null, true],
        text: "héllo — 你好 — 🙂",
        empty: {},
      };
      await backend.register("bot-1", config);
      expect(await backend.getConfig("bot-1")).toEqual(config);
    });

    it("register.special-ids - dashes, underscores, dots, colons, at-signs", async () => {
      const ids = [
        "bot-with-dashes",
        "bot_with_underscores",
        "bot.with.dots",
        "bot:with:colons",
        "team@bot",
        "A".repeat(256),
      ];
      for (const id of ids) await backend.register(id, { id });
      for (const id of ids) expect(await backend.getConfig(id)).toEqual({ id });
      expect(await backend.count()).toBe(ids.length);
    });

    it("update.existing - replaces config, keeps status, bumps version (seed C2)", async () => {
      await backend.register("bot-1", CONFIG, { status: "inactive" });
      const reg = await backend.update("bot-1", { llm: { model: "claude-3-opus" } });
      expect(reg.version).toBe(2);
      expect(reg.status).toBe("inactive");
      expect(reg.config).toEqual({ llm: { model: "claude-3-opus" } });
    });

    it("update.missing - NotFoundError naming the id, nothing written", async () => {
      await expectRejects(h, backend.update("ghost", CONFIG), NotFoundError, "ghost");
      expect(await backend.get("ghost")).toBeNull();
    });

    it("update.if-version - a stale version is a ConflictError and nothing changes", async () => {
      await backend.register("bot-1", CONFIG);
      await backend.update("bot-1", { v: 2 }, { ifVersion: 1 });
      await expectRejects(
        h,
        backend.update("bot-1", { v: 3 }, { ifVersion: 1 }),
        ConflictError,
        "version",
      );
      const reg = await backend.peek("bot-1");
      expect(reg?.version).toBe(2);
      expect(reg?.config).toEqual({ v: 2 });
    });

    it("get.missing - null", async () => {
      expect(await backend.get("nope")).toBeNull();
      expect(await backend.getConfig("nope")).toBeNull();
      expect(await backend.peek("nope")).toBeNull();
      expect(await backend.peekConfig("nope")).toBeNull();
    });

    itClock(
      "get.records-access - lastAccessedAt moves; version, etag and revision do not",
      async () => {
        const reg = await backend.register("bot-1", CONFIG);
        const revision = await backend.revision();
        clock.advance(120_000);
        const read = await backend.get("bot-1");
        expect(read?.lastAccessedAt.getTime()).toBeGreaterThan(reg.lastAccessedAt.getTime());
        expect(read?.version).toBe(reg.version);
        expect(read?.etag).toBe(reg.etag);
        expect(await backend.revision()).toBe(revision);
      },
    );

    itThrottled(
      "get.touch-is-throttled - an access is persisted at most once per interval",
      async () => {
        const reg = await backend.register("bot-1", CONFIG);
        clock.advance(1_000);
        await backend.get("bot-1");
        expect((await backend.peek("bot-1"))?.lastAccessedAt.getTime()).toBe(
          reg.lastAccessedAt.getTime(),
        );
        clock.advance(60_000);
        await backend.getConfig("bot-1");
        expect((await backend.peek("bot-1"))?.lastAccessedAt.getTime()).toBe(
          reg.lastAccessedAt.getTime() + 61_000,
        );
      },
    );

    itThrottled(
      "get.touch-never-reverts-write - 20 rounds of a recorded read racing a write: every write stays",
      async () => {
        await backend.register("race", { round: -1 });
        for (let round = 0; round < 20; round++) {
          clock.advance(120_000);
          const [, written] = await Promise.all([
            backend.get("race"),
            backend.register("race", { round }),
          ]);
          const now = await backend.peek("race");
          expect([now?.version, now?.config]).toEqual([written.version, { round }]);
        }
      },
    );

    itClock(
      "peek.never-writes - peek and peekConfig leave access time and revision alone",
      async () => {
        const reg = await backend.register("bot-1", CONFIG);
        const revision = await backend.revision();
        clock.advance(120_000);
        await backend.peek("bot-1");
        await backend.peekConfig("bot-1");
        expect((await backend.peek("bot-1"))?.lastAccessedAt.getTime()).toBe(
          reg.lastAccessedAt.getTime(),
        );
        expect(await backend.revision()).toBe(revision);
      },
    );

    it("exists - active only", async () => {
      await backend.register("on", CONFIG);
      await backend.register("off", CONFIG, { status: "inactive" });
      expect(await backend.exists("on")).toBe(true);
      expect(await backend.exists("off")).toBe(false);
      expect(await backend.exists("missing")).toBe(false);
    });

    itClock(
      "deactivate - soft delete keeps createdAt, bumps version, leaves listActive",
      async () => {
        const reg = await backend.register("bot-1", CONFIG);
        clock.advance(1000);
        expect(await backend.deactivate("bot-1")).toBe(true);
        const after = await backend.peek("bot-1");
        expect(after?.status).toBe("inactive");
        expect(after?.version).toBe(2);
        expect(after?.createdAt.getTime()).toBe(reg.createdAt.getTime());
        expect(after?.updatedAt.getTime()).toBeGreaterThan(reg.updatedAt.getTime());
        expect(after?.config).toEqual(CONFIG);
        expect(await backend.listActive()).toEqual([]);
        expect(await backend.deactivate("missing")).toBe(false);
      },
    );

    it("deactivate.reactivate - register with status active brings it back", async () => {
      await backend.register("bot-1", CONFIG);
      await backend.deactivate("bot-1");
      await backend.register("bot-1", CONFIG, { status: "active" });
      expect(await backend.exists("bot-1")).toBe(true);
    });

    it("unregister - hard delete; false when missing", async () => {
      await backend.register("bot-1", CONFIG);
      expect(await backend.unregister("bot-1")).toBe(true);
      expect(await backend.get("bot-1")).toBeNull();
      expect(await backend.unregister("bot-1")).toBe(false);
    });

    it("list - active/all/ids/count, sorted by id", async () => {
      await backend.register("c-bot", CONFIG);
      await backend.register("a-bot", CONFIG);
      await backend.register("b-bot", CONFIG, { status: "inactive" });
      expect((await backend.listActive()).map((r) => r.botId)).toEqual(["a-bot", "c-bot"]);
      expect((await backend.listAll()).map((r) => r.botId)).toEqual(["a-bot", "b-bot", "c-bot"]);
      expect(await backend.listIds()).toEqual(["a-bot", "c-bot"]);
      expect(await backend.count()).toBe(2);
    });

    it("clear - removes everything", async () => {
      await backend.register("a", CONFIG);
      await backend.register("b", CONFIG);
      await backend.clear();
      expect(await backend.listAll()).toEqual([]);
      expect(await backend.count()).toBe(0);
    });

    it("revision - moves on every write, not on reads", async () => {
      const r0 = await backend.revision();
      await backend.register("a", CONFIG);
      const r1 = await backend.revision();
      expect(r1).not.toBe(r0);
      await backend.get("a");
      await backend.listAll();
      expect(await backend.revision()).toBe(r1);
      await backend.deactivate("a");
      const r2 = await backend.revision();
      expect(r2).not.toBe(r1);
      await backend.unregister("a");
      expect(await backend.revision()).not.toBe(r2);
    });

    it("events - created, updated, deactivated, deleted on registry:bots with bot_id and version", async () => {
      await backend.register("bot-1", CONFIG);
      await backend.register("bot-1", { v: 2 });
      await backend.deactivate("bot-1");
      await backend.unregister("bot-1");
      await backend.unregister("bot-1");
      expect(events.map((e) => e.type)).toEqual(["created", "updated", "deactivated", "deleted"]);
      expect(events.map((e) => e.payload.bot_id)).toEqual(["bot-1", "bot-1", "bot-1", "bot-1"]);
      expect(events.map((e) => e.payload.version)).toEqual([1, 2, 3, null]);
      expect(events[0]?.topic).toBe("registry:bots");
    });

    it("events.not-on-failed-writes - a rejected write publishes nothing", async () => {
      await expectRejects(h, backend.update("ghost", CONFIG), NotFoundError);
      await expectRejects(h, backend.register("bad/id", CONFIG), ValidationError);
      expect(events).toEqual([]);
    });

    it("concurrency.100-registers - 100 concurrent registers of distinct ids", async () => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => backend.register(`bot-${i}`, { i })));
      expect(await backend.count()).toBe(100);
    });

    it("concurrency.mixed-read-write - 10 existing, 50 new with concurrent reads", async () => {
      for (let i = 0; i < 10; i++) await backend.register(`old-${i}`, { i });
      await Promise.all([
        ...Array.from({ length: 50 }, (_, i) => backend.register(`new-${i}`, { i })),
        ...Array.from({ length: 10 }, (_, i) => backend.getConfig(`old-${i}`)),
        ...Array.from({ length: 10 }, () => backend.listActive()),
      ]);
      expect(await backend.count()).toBe(60);
    });

    it("concurrency.one-id - 100 concurrent writes to one bot: each version exactly once", async () => {
      const regs = await Promise.all(
        Array.from({ length: 100 }, (_, i) => backend.register("hot", { i })),
      );
      const versions = regs.map((r) => r.version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const last = regs.find((r) => r.version === 100);
      expect((await backend.peek("hot"))?.config).toEqual(last?.config);
    });

    it("sequence - register, read, update, deactivate, re-register, unregister", async () => {
      await backend.register("seq", { v: 1 });
      expect(await backend.getConfig("seq")).toEqual({ v: 1 });
      await backend.register("seq", { v: 2 });
      await backend.deactivate("seq");
      expect(await backend.exists("seq")).toBe(false);
      await backend.register("seq", { v: 3 });
      expect(await backend.exists("seq")).toBe(true);
      expect((await backend.peek("seq"))?.version).toBe(4);
      await backend.unregister("seq");
      expect(await backend.get("seq")).toBeNull();
    });

    itUnless(h, !caps.persistsOnClose && "the backend drops its data on close")(
      "close.persists - data and history survive close and initialize",
      async () => {
        await backend.register("kept", CONFIG);
        await backend.update("kept", { v: 2 });
        await backend.close();
        await backend.initialize();
        expect(await backend.getConfig("kept")).toEqual({ v: 2 });
        expect((await backend.history("kept")).items.map((r) => r.version)).toEqual([2, 1]);
      },
    );

    registryWriteCases(h, {
      backend: () => backend,
      events: () => events,
      itWriteContext: itUnless(h, !caps.writeContext && "the backend keeps no write context"),
    });

    const destroy = async (b: RegistryBackend): Promise<void> => {
      if (options.destroy) await options.destroy(b);
      else {
        await b.clear();
        await b.close();
      }
    };
    const labelContext: RegistryLabelContext = {
      backend: () => backend,
      events: () => events,
      itLabels: itUnless(h, noLabels),
      itLabelsRetention: itUnless(
        h,
        noLabels || (!caps.retention && "the backend takes no historyLimit"),
      ),
      itLabelsClock: itUnless(
        h,
        noLabels || (!caps.injectableClock && "the backend keeps its own clock"),
      ),
      advance: (ms) => clock.advance(ms),
      create: (historyLimit) => options.create({ now: clock.now, eventBus: bus, historyLimit }),
      destroy,
      by: (actor, reason) =>
        caps.tokenActor === undefined
          ? { options: reason === undefined ? { actor } : { actor, reason }, actor }
          : { options: reason === undefined ? {} : { reason }, actor: caps.tokenActor },
      unnamed: caps.tokenActor ?? null,
    };
    registryLabelCases(h, labelContext);
    registryAuditCases(h, labelContext);

    registryHistoryCases(h, {
      backend: () => backend,
      events: () => events,
      clock: () => clock,
      itClock,
      itRetention,
      create: (historyLimit) => options.create({ now: clock.now, eventBus: bus, historyLimit }),
      destroy: async (b) => {
        if (options.destroy) await options.destroy(b);
        else {
          await b.clear();
          await b.close();
        }
      },
    });
  });
}
