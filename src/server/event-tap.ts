/**
 * {@link EventTap}: the server side of one event-stream client, whatever carries it (Server-Sent
 * Events or a WebSocket): one subscription to the requested topic globs on the server's bus, each
 * event forwarded once even when it matches several globs, what the client missed while it was
 * away (when it says which event it saw last), and a heartbeat.
 * @module
 */
import type { Event } from "../core/events/event.ts";
import { matchTopic } from "../core/events/glob.ts";
import type { EventBus, Subscription } from "../core/events/types.ts";
import type { EventHistory } from "./event-history.ts";

/** Where a reconnecting client resumes: the server's history and the last event it saw. */
export interface Resume {
  history: EventHistory;
  lastEventId: string;
}

/** What a tap calls; `heartbeat` every `heartbeatMs` once subscribed. */
export interface TapSink {
  event(event: Event): void;
  heartbeat(): void;
}

/**
 * Subscribes a client to `globs`; `stop()` (idempotent) cancels everything, even while
 * `start()` is still subscribing.
 * @example
 * const tap = new EventTap(bus, ["registry:*"], 15_000, { event: send, heartbeat: ping });
 * await tap.start();
 */
export class EventTap {
  readonly #bus: EventBus;
  readonly #globs: string[];
  readonly #heartbeatMs: number;
  readonly #sink: TapSink;
  readonly #subscriptions: Subscription[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(bus: EventBus, globs: string[], heartbeatMs: number, sink: TapSink) {
    this.#bus = bus;
    this.#globs = globs;
    this.#heartbeatMs = heartbeatMs;
    this.#sink = sink;
  }

  /** True once stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Subscribes once: to the glob, or with several globs to every topic, filtered here (so an
   * event matching two globs is sent once, with no per-client memory of ids). With `resume`, first
   * sends the events after the client's last one (live events arriving meanwhile wait, and none
   * is sent twice); then starts the heartbeat. Resolves true when the missed events could be sent
   * (the history still had `lastEventId`).
   */
  async start(resume?: Resume): Promise<boolean> {
    const globs = this.#globs;
    const single = globs.length === 1 ? (globs[0] as string) : undefined;
    const wanted = (event: Event): boolean =>
      single !== undefined
        ? matchTopic(single, event.topic)
        : globs.some((g) => matchTopic(g, event.topic));
    let held: Event[] | null = resume ? [] : null;
    const send = (event: Event): void => {
      if (!this.#stopped) this.#sink.event(event);
    };
    const forward = (event: Event): void => {
      if (single === undefined && !wanted(event)) return;
      if (held) held.push(event);
      else send(event);
    };
    if (resume) await resume.history.start();
    const pattern = single ?? "*";
    const sub = await this.#bus.subscribe(pattern, forward, { pattern });
    if (this.#stopped) void Promise.resolve(sub.cancel()).catch(() => {});
    else this.#subscriptions.push(sub);
    const missed = resume ? resume.history.after(resume.lastEventId) : null;
    const sent = new Set<string>();
    for (const event of missed ?? []) {
      if (!wanted(event)) continue;
      sent.add(event.eventId);
      send(event);
    }
    const waiting = held ?? [];
    held = null;
    for (const event of waiting) if (!sent.has(event.eventId)) send(event);
    if (!this.#stopped) this.#timer = setInterval(() => this.#sink.heartbeat(), this.#heartbeatMs);
    return missed !== null;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const s of this.#subscriptions.splice(0)) void Promise.resolve(s.cancel()).catch(() => {});
  }
}
