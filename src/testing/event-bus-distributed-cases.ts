/**
 * The `EventBus` suite's cases for a distributed bus, with a peer on the same transport
 * (`createPeer`): events cross to it, each once and in each publisher's order, on the topic they
 * were published to; a peer hears what is published after its `connect()` (or, never connected,
 * after its `subscribe()` resolved) and nothing from before (whatever the transport keeps); and a
 * long run of large events of multi-byte characters — more than a megabyte,
 * past whatever buffers, segments or windows the transport rotates — reaches a peer that keeps
 * up whole, without a resynchronisation notice. Registered by `eventBusSuite`.
 * @module
 */
import { Event, EventType } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";
import { eventually, type TestHarness } from "./harness.ts";

/** What the cases need from the suite that registers them. */
export interface EventBusDistributedContext {
  /** The case's bus (connected). */
  bus(): EventBus;
  /** A second bus on the same transport (the suite's `createPeer`). */
  createPeer(): Promise<EventBus> | EventBus;
}

const ev = (topic: string, payload: Record<string, unknown> = {}): Event =>
  new Event({ type: EventType.UPDATED, topic, payload });

/** A resynchronisation notice of a bus that lost events (`payload.reconnected`). */
const isNotice = (e: Event): boolean => e.payload.reconnected === true;

/** A run of 1-, 2-, 3- and 4-byte UTF-8 characters (10 bytes). */
const MIXED = "xé€😀";
const MIXED_BYTES = 10;

/**
 * The padding of a large event: half the bus's limit (32 KiB without one), less the envelope, of
 * characters 1 to 4 bytes long, so that a transport's chunks split UTF-8 sequences.
 */
function largePad(maxEventBytes: number | undefined): string {
  const max = maxEventBytes ?? 64 * 1024;
  const bytes = Math.max(Math.floor(max / 2) - 512, 64);
  return MIXED.repeat(Math.ceil(bytes / MIXED_BYTES));
}

/**
 * Registers the distributed cases (inside the event-bus suite's describe).
 * @example
 * eventBusDistributedCases(h, { bus: () => bus, createPeer: options.createPeer });
 */
export function eventBusDistributedCases(h: TestHarness, ctx: EventBusDistributedContext): void {
  const { it, expect } = h;
  /** Runs `fn` with a connected peer, closed after. */
  const withPeer = async (fn: (peer: EventBus) => Promise<void>): Promise<void> => {
    const peer = await ctx.createPeer();
    await peer.connect();
    try {
      await fn(peer);
    } finally {
      await peer.close();
    }
  };

  // A copy still on its way (a bus hearing its own event again through the transport, or a
  // peer's twice) has arrived after a few round trips between the two buses: each one is an
  // event the peer hears and answers, published after everything counted here.
  const roundTrips = async (peer: EventBus, n: number): Promise<void> => {
    const bus = ctx.bus();
    let answered = 0;
    const pong = await bus.subscribe("t:pong", () => void answered++);
    const ping = await peer.subscribe("t:ping", (e) =>
      peer.publish("t:pong", ev("t:pong", { i: e.payload.i })),
    );
    try {
      for (let i = 1; i <= n; i++) {
        await bus.publish("t:ping", ev("t:ping", { i }));
        await eventually(() => answered >= i);
      }
    } finally {
      await pong.cancel();
      await ping.cancel();
    }
  };

  it("distributed - an event published on one bus reaches a subscriber on another", async () => {
    await withPeer(async (peer) => {
      const got: Event[] = [];
      await peer.subscribe("registry:bots", (e) => void got.push(e));
      await ctx.bus().publish("registry:bots", ev("registry:bots", { bot_id: "x" }));
      await eventually(() => got.length === 1);
      expect(got[0]?.payload.bot_id).toBe("x");
    });
  });

  it("distributed.once - each bus hears its own events and its peer's exactly once, each publisher's in order", async () => {
    const bus = ctx.bus();
    await withPeer(async (peer) => {
      const here: string[] = [];
      const there: string[] = [];
      await bus.subscribe("t:once", (e) => void here.push(String(e.payload.n)));
      await peer.subscribe("t:once", (e) => void there.push(String(e.payload.n)));
      const sent = { b: [] as string[], p: [] as string[] };
      for (let i = 0; i < 10; i++) {
        sent.b.push(`b${i}`);
        sent.p.push(`p${i}`);
        await bus.publish("t:once", ev("t:once", { n: `b${i}` }));
        await peer.publish("t:once", ev("t:once", { n: `p${i}` }));
      }
      await eventually(() => here.length >= 20 && there.length >= 20);
      await roundTrips(peer, 3);
      for (const heard of [here, there]) {
        expect(heard.filter((n) => n.startsWith("b"))).toEqual(sent.b);
        expect(heard.filter((n) => n.startsWith("p"))).toEqual(sent.p);
      }
    });
  });

  it("distributed.late-peer - a peer connected after e1 was published hears only e2, published after", async () => {
    const bus = ctx.bus();
    await bus.publish("t:late", ev("t:late", { n: "e1" }));
    await withPeer(async (peer) => {
      const got: string[] = [];
      await peer.subscribe("t:late", (e) => void got.push(String(e.payload.n)));
      await bus.publish("t:late", ev("t:late", { n: "e2" }));
      await eventually(() => got.length >= 1);
      await roundTrips(peer, 3);
      expect(got).toEqual(["e2"]);
    });
  });

  it("distributed.topic - a peer hears an event on the topic it was published to, not the event's own", async () => {
    const bus = ctx.bus();
    await withPeer(async (peer) => {
      const onPublished: string[] = [];
      const onOwn: string[] = [];
      await peer.subscribe("t:sent-to", (e) => void onPublished.push(String(e.payload.n)));
      await peer.subscribe("t:own", (e) => void onOwn.push(String(e.payload.n)));
      // Forwarded or re-published: the event names another topic than the one it goes to.
      await bus.publish("t:sent-to", ev("t:own", { n: "forwarded" }));
      await bus.publish("t:sent-to", ev("t:sent-to", { n: "plain" }));
      await eventually(() => onPublished.length >= 2);
      await roundTrips(peer, 3);
      expect(onPublished).toEqual(["forwarded", "plain"]);
      expect(onOwn).toEqual([]);
    });
  });

  it("distributed.subscribe-connects - a peer never connected hears the first event published after its subscribe resolved", async () => {
    const bus = ctx.bus();
    // The bus has published before: its log or stream is there, and a peer that starts reading
    // it only after its subscribe resolved misses what comes next.
    await bus.publish("t:sub", ev("t:sub", { n: "before" }));
    const peer = await ctx.createPeer();
    try {
      const heard: string[] = [];
      await peer.subscribe("t:sub", (e) => void heard.push(String(e.payload.n)));
      await bus.publish("t:sub", ev("t:sub", { n: "first" }));
      await eventually(() => heard.length >= 1);
      await roundTrips(peer, 2);
      expect(heard).toEqual(["first"]);
    } finally {
      await peer.close();
    }
  });

  it("distributed.from-connect - a peer hears what is published after it connected, the first event included, and nothing from before", async () => {
    const bus = ctx.bus();
    // Before the peer exists: a transport may keep these (a log, a replay window); the peer must
    // not hear them, nor lose the first event after them.
    for (let i = 0; i < 3; i++) await bus.publish("t:join", ev("t:join", { n: `before${i}` }));
    await withPeer(async (peer) => {
      const heard: string[] = [];
      await peer.subscribe("t:join", (e) => void heard.push(String(e.payload.n)));
      for (let i = 0; i < 3; i++) await bus.publish("t:join", ev("t:join", { n: `after${i}` }));
      await eventually(() => heard.length >= 3);
      await roundTrips(peer, 2);
      expect(heard).toEqual(["after0", "after1", "after2"]);
    });
  });

  it("distributed.multibyte - an event of 2-, 3- and 4-byte UTF-8 characters (a transport may split one between two reads) reaches a peer intact", async () => {
    // Each character begins at every byte offset somewhere in the text: a reader that decodes
    // each read on its own, however the transport cuts the stream, spoils one of them.
    const text = ["é€😀", "x€😀é", "xx😀é€", "xxx😀", "ü字🎉 ∑ 𝄞"].join("|");
    await withPeer(async (peer) => {
      const got: string[] = [];
      await peer.subscribe("t:utf8", (e) => void got.push(String(e.payload.text)));
      for (const s of [text, text.repeat(3)])
        await ctx.bus().publish("t:utf8", ev("t:utf8", { text: s }));
      await eventually(() => got.length >= 2);
      expect(got).toEqual([text, text.repeat(3)]);
    });
  });

  it("distributed.large - over a megabyte of events at half maxEventBytes, of 1- to 4-byte characters, reaches a peer that keeps up (a few ms per event) once each, in order, without a resync notice", async () => {
    const bus = ctx.bus();
    const pad = largePad(bus.capabilities.maxEventBytes);
    const padBytes = (pad.length / MIXED.length) * MIXED_BYTES;
    // A megabyte and a half, in batches (a quarter of a megabyte at a 64 KiB limit) the peer has
    // heard before the next one is sent.
    const total = Math.min(Math.ceil((1.5 * 1024 * 1024) / padBytes), 400);
    const batch = 8;
    await withPeer(async (peer) => {
      const heard: number[] = [];
      let notices = 0;
      // A handler doing some I/O: the peer reads on only once it is done with an event.
      await peer.subscribe("t:large", async (e) => {
        if (isNotice(e)) notices++;
        else if (e.payload.pad === pad) {
          await new Promise((r) => setTimeout(r, 4));
          heard.push(e.payload.i as number);
        }
      });
      for (let from = 0; from < total; from += batch) {
        const to = Math.min(from + batch, total);
        for (let i = from; i < to; i++) await bus.publish("t:large", ev("t:large", { i, pad }));
        await eventually(() => heard.length >= to || notices > 0, 20_000);
        expect(notices).toBe(0);
      }
      await roundTrips(peer, 2);
      expect([heard.length, notices]).toEqual([total, 0]);
      expect(heard).toEqual(Array.from({ length: total }, (_, i) => i));
    });
  }, 120_000);
}
