/**
 * {@link EventHistory}: the server's memory of its most recent events, so that a client that
 * reconnects with the id of the last event it saw (`Last-Event-ID`) gets what it missed instead
 * of having to resynchronise. Bounded in count and in bytes: the oldest events go first.
 * @module
 */
import type { Event } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";
import { eventBytes } from "./event-frames.ts";

/**
 * The last `size` events of a bus, at most `maxBytes` of them on the wire, recorded from the
 * first `start()` on. An event is forgotten only together with every event before it, so a client
 * that resumes either gets everything it missed or learns that it must resynchronise.
 * @example
 * const history = new EventHistory(bus, 1000, 4 * 1024 * 1024);
 * await history.start();
 * history.after(lastEventId); // the events since, or null when that id is not remembered
 */
export class EventHistory {
  readonly #bus: EventBus;
  readonly #size: number;
  readonly #maxBytes: number;
  #events: Event[] = [];
  #sizes: number[] = [];
  // The oldest remembered event is #events[#head]; the slots before it are compacted in batches.
  #head = 0;
  #bytes = 0;
  #started: Promise<void> | undefined;

  constructor(bus: EventBus, size: number, maxBytes: number = Number.POSITIVE_INFINITY) {
    this.#bus = bus;
    this.#size = size;
    this.#maxBytes = maxBytes;
  }

  /** Starts recording (once; later calls wait for the same subscription). */
  start(): Promise<void> {
    this.#started ??= this.#bus
      .subscribe("*", (event) => this.#record(event), { pattern: "*" })
      .then(() => {});
    return this.#started;
  }

  /** Events remembered now. */
  get length(): number {
    return this.#events.length - this.#head;
  }

  /** Their bytes on the wire. */
  get bytes(): number {
    return this.#bytes;
  }

  #record(event: Event): void {
    const bytes = eventBytes(event);
    this.#events.push(event);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    while (this.length > this.#size || (this.#bytes > this.#maxBytes && this.length > 0)) {
      this.#bytes -= this.#sizes[this.#head] as number;
      this.#events[this.#head] = undefined as unknown as Event; // let it go now
      this.#head++;
    }
    if (this.#head >= 1024 && this.#head * 2 >= this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The events recorded after the one with `eventId`, oldest first; null if it is not here. */
  after(eventId: string): Event[] | null {
    for (let i = this.#events.length - 1; i >= this.#head; i--)
      if (this.#events[i]?.eventId === eventId) return this.#events.slice(i + 1);
    return null;
  }
}
