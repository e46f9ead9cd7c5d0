/**
 * Event buses for the mutant kit: `QueuedBus`, a correct bus that delivers asynchronously (so the
 * suite's checks for asynchronous buses are exercised in process), and deliberately broken buses,
 * each wrapping a correct one (synchronous or queued) and breaking one promise of the port.
 */
import { ValidationError } from "../../src/core/errors.ts";
import type { Event } from "../../src/core/events/event.ts";
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import type {
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "../../src/core/events/types.ts";

/** A correct asynchronous bus: `publish` resolves at once, delivery follows a few ms later, in order. */
export class QueuedBus implements EventBus {
  readonly capabilities: EventBusCapabilities = { delivery: "async", distributed: false };
  readonly #inner = new InMemoryEventBus();
  #queue: Promise<void> = Promise.resolve();

  connect(): Promise<void> {
    return this.#inner.connect();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  async publish(topic: string, event: Event): Promise<void> {
    this.#queue = this.#queue
      .then(() => new Promise((r) => setTimeout(r, 1)))
      .then(() => this.#inner.publish(topic, event));
  }
  subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#inner.subscribe(topic, handler, options);
  }
}

/** Delegates everything to `inner`; each mutant overrides the one method it breaks. */
class Wrapped implements EventBus {
  readonly inner: EventBus;
  constructor(inner: EventBus) {
    this.inner = inner;
  }
  get capabilities(): EventBusCapabilities {
    return this.inner.capabilities;
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  publish(topic: string, event: Event): Promise<void> {
    return this.inner.publish(topic, event);
  }
  subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.inner.subscribe(topic, handler, options);
  }
}

/** Delivers every event twice (as a bus that both relays its own publishes and receives them back). */
export class DeliversTwice extends Wrapped {
  override async publish(topic: string, event: Event): Promise<void> {
    await this.inner.publish(topic, event);
    await this.inner.publish(topic, event);
  }
}

/** Loses the seventh event published on it (as a bus whose buffer drops one under load). */
export class DropsOneEvent extends Wrapped {
  #published = 0;
  override async publish(topic: string, event: Event): Promise<void> {
    if (++this.#published === 7) return;
    await this.inner.publish(topic, event);
  }
}

/** Ignores `options.pattern`: a glob subscription matches only its literal topic. */
export class IgnoresGlob extends Wrapped {
  override subscribe(topic: string, handler: EventHandler): Promise<Subscription> {
    return this.inner.subscribe(topic, handler);
  }
}

/** Subscribes everything again on each `connect()` (as a bus that opens a second stream). */
export class ConnectDuplicates extends Wrapped {
  readonly #subs: [string, EventHandler, SubscribeOptions | undefined][] = [];
  override async connect(): Promise<void> {
    await this.inner.connect();
    for (const [topic, handler, options] of this.#subs)
      await this.inner.subscribe(topic, handler, options);
  }
  override async close(): Promise<void> {
    this.#subs.length = 0;
    await this.inner.close();
  }
  override subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.#subs.push([topic, handler, options]);
    return this.inner.subscribe(topic, handler, options);
  }
}

/** Keeps events published before a topic had a subscriber and replays them to each new subscriber. */
export class ReplaysToLateSubscribers extends Wrapped {
  readonly #kept = new Map<string, Event[]>();
  readonly #topics = new Set<string>();
  override async publish(topic: string, event: Event): Promise<void> {
    if (!this.#topics.has(topic)) this.#kept.set(topic, [...(this.#kept.get(topic) ?? []), event]);
    await this.inner.publish(topic, event);
  }
  override async subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.#topics.add(topic);
    const sub = await this.inner.subscribe(topic, handler, options);
    for (const event of this.#kept.get(topic) ?? []) await handler(event);
    return sub;
  }
}

/** The JSON bytes of a publish, as the port's `maxEventBytes` counts them. */
const publishBytes = (topic: string, event: Event): number =>
  new TextEncoder().encode(JSON.stringify({ ...event.toDict(), topic })).byteLength;

/** A correct bus with a limit: declares `maxEventBytes` and refuses larger events. */
export class LimitedBus extends Wrapped {
  readonly #max: number;
  constructor(inner: EventBus, max: number) {
    super(inner);
    this.#max = max;
  }
  override get capabilities(): EventBusCapabilities {
    return { ...this.inner.capabilities, maxEventBytes: this.#max };
  }
  override async publish(topic: string, event: Event): Promise<void> {
    if (publishBytes(topic, event) > this.#max)
      throw new ValidationError(`Event over maxEventBytes ${this.#max}`);
    await this.inner.publish(topic, event);
  }
}

/** Declares a `maxEventBytes` it does not enforce (as a bus whose transport truncates silently). */
export class IgnoresEventLimit extends Wrapped {
  override get capabilities(): EventBusCapabilities {
    return { ...this.inner.capabilities, maxEventBytes: 4096 };
  }
}
