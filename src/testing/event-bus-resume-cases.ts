/**
 * The `EventBus` suite's cases for a bus that resumes after a lost connection: a short
 * disconnect (the missed events arrive once, in order, within the subscriber's topics, with no
 * resynchronisation notice) and restarts of the transport's server after its replay window was
 * trimmed (no event comes twice, none out of order). Registered by `eventBusSuite`; they run
 * where the options give the hooks (`disconnect`, `restart`, `replayWindow`).
 * @module
 */
import { Event, EventType } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";
import { eventually, itUnless, type TestHarness } from "./harness.ts";

/** The hooks of the suite's options the resume cases use (see `EventBusSuiteOptions`). */
export interface EventBusResumeHooks {
  disconnect?(bus: EventBus): Promise<() => void>;
  createFiltered?(topics: string[]): Promise<EventBus> | EventBus;
  restart?(): Promise<void>;
  replayWindow?: number;
}

/** What the cases need from the suite that registers them. */
export interface EventBusResumeContext {
  /** The case's bus (connected). */
  bus(): EventBus;
  options: EventBusResumeHooks;
}

const ev = (topic: string, payload: Record<string, unknown>): Event =>
  new Event({ type: EventType.UPDATED, topic, payload });

/** A resynchronisation notice of a remote bus (`payload.reconnected`). */
const isNotice = (e: Event): boolean => e.payload.reconnected === true;

/**
 * Registers the resume cases (inside the event-bus suite's describe).
 * @example
 * eventBusResumeCases(h, { bus: () => bus, options });
 */
export function eventBusResumeCases(h: TestHarness, ctx: EventBusResumeContext): void {
  const { expect, afterEach } = h;
  const { options } = ctx;
  const opened: EventBus[] = [];
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
  });
  /**
   * The subscriber of a case: a bus asking its transport for `topics` only, subscribed to every
   * event (so only the server's filter keeps others out); or the case's bus, filtering locally.
   */
  const subscriber = async (topics: string[], got: Event[]): Promise<EventBus> => {
    if (!options.createFiltered) {
      const bus = ctx.bus();
      for (const glob of topics)
        await bus.subscribe(glob, (e) => void got.push(e), { pattern: glob });
      return bus;
    }
    const bus = await options.createFiltered(topics);
    opened.push(bus);
    await bus.connect();
    await bus.subscribe("*", (e) => void got.push(e), { pattern: "*" });
    return bus;
  };
  const noDisconnect =
    !options.disconnect && "the options give no disconnect (a bus that does not resume)";

  itUnless(h, noDisconnect)(
    "resume.short-disconnect - after two events heard, those missed while away arrive once, in order, within the subscriber's topics, without a resync notice",
    async () => {
      const got: Event[] = [];
      const sub = await subscriber(["t:*"], got);
      const publisher = ctx.bus();
      // Two events heard before the loss: a resume must start after the last one, not the first.
      await publisher.publish("t:a", ev("t:a", { n: 1 }));
      await publisher.publish("t:b", ev("t:b", { n: 2 }));
      await eventually(() => got.length >= 2);
      const release = await (options.disconnect as NonNullable<typeof options.disconnect>)(sub);
      await publisher.publish("t:a", ev("t:a", { n: 3 }));
      await publisher.publish("other:x", ev("other:x", { outside: true }));
      await publisher.publish("t:b", ev("t:b", { n: 4 }));
      await publisher.publish("other:y", ev("other:y", { outside: true }));
      release();
      await eventually(() => got.some((e) => e.payload.n === 4), 10_000);
      await publisher.publish("t:a", ev("t:a", { n: 5 }));
      await eventually(() => got.some((e) => e.payload.n === 5), 10_000);
      // Exactly the missed ones, once each, by the last id heard (a resume from an earlier id
      // brings an event heard before the loss again).
      expect(got.map((e) => [e.topic, e.payload.n ?? e.payload])).toEqual([
        ["t:a", 1],
        ["t:b", 2],
        ["t:a", 3],
        ["t:b", 4],
        ["t:a", 5],
      ]);
    },
    30_000,
  );

  const window = options.replayWindow;
  itUnless(
    h,
    noDisconnect ||
      ((!options.restart || window === undefined) &&
        "the options give no restart and replayWindow (a transport that keeps no window)"),
  )(
    "resume.after-restart - across restarts after the window was trimmed, no event arrives twice or out of order",
    async () => {
      const got: Event[] = [];
      await subscriber(["w:*"], got);
      const publisher = ctx.bus();
      const restart = options.restart as NonNullable<typeof options.restart>;
      // More than the window holds, so the oldest were dropped before the restart.
      const n = (window as number) + 3;
      for (let i = 0; i < n; i++) await publisher.publish("w:a", ev("w:a", { i }));
      await eventually(() => got.length >= n, 60_000);
      const notices = (): number => got.filter(isNotice).length;
      for (const [round, tags] of [
        [1, ["A", "B"]],
        [2, ["C"]],
      ] as const) {
        await restart();
        // The subscriber reconnects by itself; a new run of the server tells it to resynchronise.
        await eventually(() => notices() >= round, 20_000);
        for (const tag of tags) await publisher.publish("w:a", ev("w:a", { tag }));
        await eventually(() => got.some((e) => e.payload.tag === tags.at(-1)), 20_000);
      }
      const events = got.filter((e) => !isNotice(e));
      const ids = events.map((e) => e.eventId);
      expect(ids.length - new Set(ids).size).toBe(0);
      expect(events.map((e) => e.payload.i ?? e.payload.tag)).toEqual([
        ...Array.from({ length: n }, (_, i) => i),
        "A",
        "B",
        "C",
      ]);
    },
    180_000,
  );
}
