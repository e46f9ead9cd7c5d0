/**
 * The in-process event bus: delivery is synchronous with the publisher (handlers run, in
 * subscription order, before `publish` resolves), as in the original system.
 * @module
 */
import type { Event } from "./event.ts";
import { SubscriptionTable } from "./subscriptions.ts";
import type {
  ErrorReporter,
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "./types.ts";

/** Options of {@link InMemoryEventBus}. */
export interface InMemoryEventBusOptions {
  /** Told about handler failures (default: ignored, delivery goes on). */
  onError?: ErrorReporter;
}

/**
 * An event bus inside one process (or one Worker isolate).
 * @example
 * const bus = new InMemoryEventBus();
 * await bus.subscribe("registry:*", (e) => console.log(e.type), { pattern: "registry:*" });
 * await bus.publish("registry:bots", new Event({ type: EventType.UPDATED, topic: "registry:bots" }));
 */
export class InMemoryEventBus implements EventBus {
  readonly capabilities: EventBusCapabilities = { delivery: "sync", distributed: false };
  readonly #table = new SubscriptionTable();
  readonly #report: ErrorReporter;
  #connected = false;

  constructor(options: InMemoryEventBusOptions = {}) {
    this.#report = options.onError ?? (() => {});
  }

  /** Whether `connect()` was called (publishing works either way). */
  get connected(): boolean {
    return this.#connected;
  }

  /** The number of live subscriptions. */
  get subscriptionCount(): number {
    return this.#table.size;
  }

  async connect(): Promise<void> {
    this.#connected = true;
  }

  async close(): Promise<void> {
    this.#table.clear();
    this.#connected = false;
  }

  async publish(topic: string, event: Event): Promise<void> {
    await this.#table.dispatch(topic, event, this.#report);
  }

  async subscribe(
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.#table.add(topic, handler, options.pattern ?? null);
  }
}
