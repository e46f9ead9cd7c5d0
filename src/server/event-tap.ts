/**
 * {@link EventTap}: the server side of one event-stream client, whatever carries it (Server-Sent
 * Events or a WebSocket): subscriptions to the requested topic globs on the server's bus, each
 * event forwarded once even when it matches several globs, and a heartbeat.
 * @module
 */
import type { Event } from "../core/events/event.ts";
import type { EventBus, Subscription } from "../core/events/types.ts";

/** Remembers the last `size` ids: one event matching two globs is sent once. */
function recentIds(size: number): (id: string) => boolean {
  const seen = new Set<string>();
  return (id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > size) seen.delete(seen.values().next().value as string);
    return true;
  };
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

  /** Subscribes to every glob, then starts the heartbeat. */
  async start(): Promise<void> {
    const fresh = this.#globs.length > 1 ? recentIds(4096) : () => true;
    const forward = (event: Event): void => {
      if (!this.#stopped && fresh(event.eventId)) this.#sink.event(event);
    };
    for (const glob of this.#globs) {
      const sub = await this.#bus.subscribe(glob, forward, { pattern: glob });
      if (this.#stopped) void Promise.resolve(sub.cancel()).catch(() => {});
      else this.#subscriptions.push(sub);
    }
    if (!this.#stopped) this.#timer = setInterval(() => this.#sink.heartbeat(), this.#heartbeatMs);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const s of this.#subscriptions.splice(0)) void Promise.resolve(s.cancel()).catch(() => {});
  }
}
