/**
 * {@link EventHistory}: the server's memory of its most recent events, so that a client that
 * reconnects with the id of the last event it saw (`Last-Event-ID`) gets what it missed instead
 * of having to resynchronise.
 * @module
 */
import type { Event } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";

/**
 * The last `size` events of a bus, recorded from the first `start()` on.
 * @example
 * const history = new EventHistory(bus, 1000);
 * await history.start();
 * history.after(lastEventId); // the events since, or null when that id is not remembered
 */
export class EventHistory {
  readonly #bus: EventBus;
  readonly #size: number;
  #events: Event[] = [];
  #started: Promise<void> | undefined;

  constructor(bus: EventBus, size: number) {
    this.#bus = bus;
    this.#size = size;
  }

  /** Starts recording (once; later calls wait for the same subscription). */
  start(): Promise<void> {
    this.#started ??= this.#bus
      .subscribe("*", (event) => this.#record(event), { pattern: "*" })
      .then(() => {});
    return this.#started;
  }

  #record(event: Event): void {
    this.#events.push(event);
    // Trimmed in batches: at most 2 × size events are held.
    if (this.#events.length >= 2 * this.#size) this.#events = this.#events.slice(-this.#size);
  }

  /** The events recorded after the one with `eventId`, oldest first; null if it is not here. */
  after(eventId: string): Event[] | null {
    for (let i = this.#events.length - 1; i >= 0; i--)
      if (this.#events[i]?.eventId === eventId) return this.#events.slice(i + 1);
    return null;
  }
}
