/**
 * The `EventBus` conformance suite: memory, Durable Object, BroadcastChannel, Redis and
 * PostgreSQL buses all run it. Asynchronous buses are awaited with {@link eventually}.
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import { Event, EventType } from "../core/events/event.ts";
import type { EventBus, EventBusCapabilities } from "../core/events/types.ts";
import { eventBusDistributedCases } from "./event-bus-distributed-cases.ts";
import { eventBusResumeCases } from "./event-bus-resume-cases.ts";
import {
  declaredCapabilities,
  eventually,
  expectRejects,
  itUnless,
  type TestHarness,
} from "./harness.ts";

/** Options of {@link eventBusSuite}. */
export interface EventBusSuiteOptions {
  name: string;
  /** A fresh bus, not yet connected. */
  create(): Promise<EventBus> | EventBus;
  /** A second bus on the same transport, for distributed buses (events must cross). */
  createPeer?(): Promise<EventBus> | EventBus;
  /**
   * What the bus declares, for the cases that depend on it (registered before any bus exists).
   * Default: read from a bus `create()` returns synchronously; when `create` is async (or needs
   * what the tests set up later), say `maxEventBytes` here (`{}` for none): otherwise the case
   * runs and fails on a bus without a limit, never passes.
   */
  capabilities?: Pick<EventBusCapabilities, "maxEventBytes">;
  /**
   * For a bus that resumes after a lost connection (the remote buses, the Durable Object hub's):
   * drops `bus`'s connection as a network failure would and holds its reconnection until the
   * returned function is called, so what is published meanwhile reaches it only by a resume.
   * Without it the resume cases are skipped, saying so.
   */
  disconnect?(bus: EventBus): Promise<() => void>;
  /**
   * A bus that asks its transport for `topics` only (the server filters: the remote buses'
   * `topics` option), for the resume case's check that a replay keeps to them too. Default: the
   * case's own bus, filtering locally.
   */
  createFiltered?(topics: string[]): Promise<EventBus> | EventBus;
  /**
   * Restarts the transport's server as a crash would: its memory goes, what it stored stays (a
   * Durable Object reset). With `replayWindow`, for `resume.after-restart`.
   */
  restart?(): Promise<void>;
  /** How many events the transport keeps for a resume (the hub's `REPLAY_WINDOW`). */
  replayWindow?: number;
}

const ev = (
  topic: string,
  payload: Record<string, unknown> = {},
  type: EventType = EventType.UPDATED,
): Event => new Event({ type, topic, payload });

/** Runs the `EventBus` conformance suite. */
export function eventBusSuite(h: TestHarness, options: EventBusSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  describe(`EventBus conformance: ${options.name}`, () => {
    let bus: EventBus;
    // Synchronous buses have delivered when publish resolves; others within a few ms.
    const settle = async (check: () => boolean): Promise<void> => {
      if (bus.capabilities.delivery === "sync") expect(check()).toBe(true);
      else await eventually(check);
    };
    // To assert that nothing arrives on an asynchronous bus, publish a marker after it and wait for
    // the marker: what was published before it has been delivered by then. Markers carry `marker`.
    const quiet = async (topic: string): Promise<void> => {
      if (bus.capabilities.delivery === "sync") return;
      const id = crypto.randomUUID();
      let seen = false;
      const sub = await bus.subscribe(topic, (e) => {
        if (e.payload.marker === id) seen = true;
      });
      await bus.publish(topic, ev(topic, { marker: id }));
      await eventually(() => seen);
      await sub.cancel();
    };
    const real = (events: Event[]): Event[] => events.filter((e) => e.payload.marker === undefined);

    beforeEach(async () => {
      bus = await options.create();
      await bus.connect();
    });
    afterEach(async () => {
      await bus.close();
    });

    it("connect.idempotent - connecting twice keeps one subscription: an event arrives once", async () => {
      const got: Event[] = [];
      await bus.subscribe("t:twice", (e) => void got.push(e));
      await bus.connect();
      await bus.publish("t:twice", ev("t:twice"));
      await settle(() => got.length >= 1);
      await quiet("t:twice");
      expect(real(got)).toHaveLength(1);
    });

    it("publish.delivers - a subscriber gets the event with its fields", async () => {
      const got: Event[] = [];
      await bus.subscribe("registry:bots", (e) => {
        got.push(e);
      });
      const sent = new Event({
        type: EventType.UPDATED,
        topic: "registry:bots",
        payload: { bot_id: "support-bot", n: 1 },
        source: "test",
        correlationId: "corr-1",
      });
      await bus.publish("registry:bots", sent);
      await settle(() => got.length === 1);
      const e = got[0] as Event;
      expect(e.type).toBe("updated");
      expect(e.topic).toBe("registry:bots");
      expect(e.payload).toEqual({ bot_id: "support-bot", n: 1 });
      expect(e.eventId).toBe(sent.eventId);
      expect(e.source).toBe("test");
      expect(e.correlationId).toBe("corr-1");
      expect(e.timestamp.getTime()).toBe(sent.timestamp.getTime());
    });

    it("publish.multiple-subscribers - each gets it once", async () => {
      const a: Event[] = [];
      const b: Event[] = [];
      await bus.subscribe("t:one", (e) => void a.push(e));
      await bus.subscribe("t:one", (e) => void b.push(e));
      await bus.publish("t:one", ev("t:one"));
      await settle(() => a.length >= 1 && b.length >= 1);
      // A bus delivering twice may still be on its way: wait until a later event has arrived.
      await quiet("t:one");
      expect([real(a).length, real(b).length]).toEqual([1, 1]);
    });

    it("publish.routes-by-topic - other topics are not delivered", async () => {
      const got: Event[] = [];
      await bus.subscribe("t:a", (e) => void got.push(e));
      await bus.publish("t:b", ev("t:b"));
      await quiet("t:a");
      expect(real(got)).toHaveLength(0);
    });

    it("publish.topic - an event goes to the topic it was published to, not the one it names", async () => {
      const onPublished: Event[] = [];
      const onOwn: Event[] = [];
      await bus.subscribe("t:sent-to", (e) => void onPublished.push(e));
      await bus.subscribe("t:own", (e) => void onOwn.push(e));
      // Forwarded or re-published: the event names another topic than the one it goes to.
      await bus.publish("t:sent-to", ev("t:own", { n: "forwarded" }));
      await bus.publish("t:sent-to", ev("t:sent-to", { n: "plain" }));
      await settle(() => real(onPublished).length >= 2);
      await quiet("t:own");
      expect(real(onPublished).map((e) => e.payload.n)).toEqual(["forwarded", "plain"]);
      expect(real(onOwn)).toEqual([]);
    });

    it("publish.no-subscribers - publishing to an empty topic is fine, and is not kept for later subscribers", async () => {
      await bus.publish("nobody:here", ev("nobody:here", { early: true }));
      await quiet("nobody:here");
      const got: Event[] = [];
      await bus.subscribe("nobody:here", (e) => void got.push(e));
      await bus.publish("nobody:here", ev("nobody:here", { early: false }));
      await settle(() => got.length >= 1);
      await quiet("nobody:here");
      expect(real(got).map((e) => e.payload.early)).toEqual([false]);
    });

    it("subscribe.pattern - globs match the publish topic", async () => {
      const got: string[] = [];
      await bus.subscribe("registry:*", (e) => void got.push(e.topic), { pattern: "registry:*" });
      await bus.publish("registry:bots", ev("registry:bots"));
      await bus.publish("registry:users", ev("registry:users"));
      await bus.publish("other:topic", ev("other:topic"));
      await settle(() => got.length >= 2);
      await quiet("registry:quiet");
      expect(got.filter((t) => t !== "registry:quiet").sort()).toEqual([
        "registry:bots",
        "registry:users",
      ]);
    });

    it("subscribe.pattern-any-run - * matches any run of characters, ':' included, and none (fnmatch)", async () => {
      const got: string[] = [];
      for (const glob of ["*bots", "registry:*"])
        await bus.subscribe(glob, (e) => void got.push(`${glob} ${e.topic}`), { pattern: glob });
      for (const topic of ["registry:bots", "bots", "registry:bots:eu", "robots:x"])
        await bus.publish(topic, ev(topic));
      await settle(() => got.length >= 4);
      await quiet("robots:quiet");
      expect(got.sort()).toEqual([
        "*bots bots",
        "*bots registry:bots",
        "registry:* registry:bots",
        "registry:* registry:bots:eu",
      ]);
    });

    it("subscribe.pattern-question-mark - ? matches one character", async () => {
      const got: string[] = [];
      await bus.subscribe("kb", (e) => void got.push(e.topic), { pattern: "kb:v?" });
      await bus.publish("kb:v1", ev("kb:v1"));
      await bus.publish("kb:v10", ev("kb:v10"));
      await settle(() => got.length >= 1);
      expect(got).toEqual(["kb:v1"]);
    });

    it("subscribe.pattern-dot-literal - '.' in a glob is a literal dot", async () => {
      const got: string[] = [];
      await bus.subscribe("bots.*", (e) => void got.push(e.topic), { pattern: "bots.*" });
      await bus.publish("botsX1", ev("botsX1"));
      await bus.publish("bots.1", ev("bots.1"));
      await settle(() => got.length >= 1);
      await quiet("bots.quiet");
      expect(got.filter((t) => t !== "bots.quiet")).toEqual(["bots.1"]);
    });

    it("subscription.cancel - no delivery after cancel; cancel twice is fine", async () => {
      const got: Event[] = [];
      const sub = await bus.subscribe("t:c", (e) => void got.push(e));
      await bus.publish("t:c", ev("t:c"));
      await settle(() => got.length === 1);
      await sub.cancel();
      await sub.cancel();
      await bus.publish("t:c", ev("t:c"));
      await quiet("t:c");
      expect(real(got)).toHaveLength(1);
    });

    it("handler.throws - later handlers still run", async () => {
      const got: Event[] = [];
      await bus.subscribe("t:e", () => {
        throw new Error("boom");
      });
      await bus.subscribe("t:e", async () => {
        await Promise.reject(new Error("async boom"));
      });
      await bus.subscribe("t:e", (e) => void got.push(e));
      await bus.publish("t:e", ev("t:e"));
      await settle(() => got.length === 1);
    });

    it("handler.async - async handlers are awaited in order", async () => {
      const order: string[] = [];
      await bus.subscribe("t:async", async () => {
        await new Promise((r) => setTimeout(r, 5));
        order.push("slow");
      });
      await bus.subscribe("t:async", () => void order.push("fast"));
      await bus.publish("t:async", ev("t:async"));
      await settle(() => order.length === 2);
      expect(order).toEqual(["slow", "fast"]);
    });

    it("publish.many - 200 events arrive once each, in order per publisher", async () => {
      const got: number[] = [];
      await bus.subscribe("t:many", (e) => void got.push(e.payload.i as number));
      for (let i = 0; i < 200; i++) await bus.publish("t:many", ev("t:many", { i }));
      await settle(() => got.length === 200);
      expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });

    it("close - drops subscriptions", async () => {
      const got: Event[] = [];
      await bus.subscribe("t:close", (e) => void got.push(e));
      await bus.close();
      await bus.connect();
      await bus.publish("t:close", ev("t:close"));
      await quiet("t:close");
      expect(real(got)).toHaveLength(0);
    });

    const declared = declaredCapabilities<Pick<EventBusCapabilities, "maxEventBytes">>(
      options.capabilities,
      options.create,
    );
    const limit = declared === undefined ? "unknown" : declared.maxEventBytes;
    itUnless(h, limit === undefined && "the bus declares no maxEventBytes")(
      "publish.too-large - an event over maxEventBytes is refused with ValidationError and reaches no one",
      async () => {
        const max = bus.capabilities.maxEventBytes as number;
        if (limit === "unknown")
          expect(
            max === undefined
              ? "the bus declares no maxEventBytes: say so with capabilities: {} in the suite options"
              : "declared",
          ).toBe("declared");
        else expect(max).toBe(limit);
        const got: Event[] = [];
        await bus.subscribe("t:big", (e) => void got.push(e));
        await expectRejects(
          h,
          bus.publish("t:big", ev("t:big", { blob: "x".repeat(max) })),
          ValidationError,
        );
        // Well under the limit goes through.
        await bus.publish("t:big", ev("t:big", { blob: "x".repeat(Math.floor(max / 4)) }));
        await settle(() => real(got).length >= 1);
        await quiet("t:big");
        expect(real(got).map((e) => String(e.payload.blob).length)).toEqual([Math.floor(max / 4)]);
      },
    );

    itUnless(h, limit === undefined && "the bus declares no maxEventBytes")(
      "publish.too-large-utf8 - maxEventBytes counts UTF-8 bytes: an event of fewer characters than the limit but more bytes is refused",
      async () => {
        const max = bus.capabilities.maxEventBytes as number;
        if (limit !== "unknown") expect(max).toBe(limit);
        const got: Event[] = [];
        await bus.subscribe("t:wide", (e) => void got.push(e));
        // "€" is one UTF-16 unit and three UTF-8 bytes: max/2 of them are 1.5 × max bytes.
        await expectRejects(
          h,
          bus.publish("t:wide", ev("t:wide", { blob: "€".repeat(Math.floor(max / 2)) })),
          ValidationError,
        );
        await bus.publish("t:wide", ev("t:wide", { blob: "€".repeat(Math.floor(max / 8)) }));
        await settle(() => real(got).length >= 1);
        await quiet("t:wide");
        expect(real(got).map((e) => e.payload.blob)).toEqual(["€".repeat(Math.floor(max / 8))]);
      },
    );

    eventBusResumeCases(h, { bus: () => bus, options });

    if (options.createPeer)
      eventBusDistributedCases(h, { bus: () => bus, createPeer: options.createPeer });
  });
}
