/**
 * Event buses for the mutant kit: `QueuedBus`, a correct bus that delivers asynchronously (so the
 * suite's checks for asynchronous buses are exercised in process), `ChannelBus`, a correct
 * distributed bus (instances on one `BroadcastChannel` name hear each other, as processes sharing
 * a folder or a server do), and deliberately broken buses, each wrapping or extending a correct
 * one and breaking one promise of the port.
 */
import { ValidationError } from "../../src/core/errors.ts";
import { Event, type EventDict } from "../../src/core/events/event.ts";
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import { SubscriptionTable } from "../../src/core/events/subscriptions.ts";
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

/**
 * A correct distributed bus: instances with one channel name hear each other through a
 * `BroadcastChannel` (asynchronously, in each publisher's order); a bus runs its own events'
 * handlers in `publish` and never hears them again (`delivery: "sync"`, as `FileEventBus`).
 */
export class ChannelBus implements EventBus {
  readonly capabilities: EventBusCapabilities = { delivery: "sync", distributed: true };
  readonly name: string;
  protected readonly table: SubscriptionTable = new SubscriptionTable();
  #channels: BroadcastChannel[] = [];
  #delivery: Promise<void> = Promise.resolve();

  constructor(name: string) {
    this.name = name;
  }

  /** Opens a channel that hears the others on the name (a channel never hears its own posts). */
  protected listen(): BroadcastChannel {
    const channel = new BroadcastChannel(this.name);
    channel.onmessage = (message: MessageEvent<EventDict>) => this.receive(message.data);
    this.#channels.push(channel);
    return channel;
  }

  /** Delivers one event that came through the channel, after those before it. */
  protected receive(dict: EventDict): void {
    const event = Event.fromDict(dict);
    this.#delivery = this.#delivery.then(() => this.table.dispatch(event.topic, event, () => {}));
  }

  async connect(): Promise<void> {
    if (this.#channels.length === 0) this.listen();
  }
  async close(): Promise<void> {
    for (const channel of this.#channels.splice(0)) channel.close();
    this.table.clear();
  }
  async publish(topic: string, event: Event): Promise<void> {
    await this.connect();
    (this.#channels[0] as BroadcastChannel).postMessage({ ...event.toDict(), topic });
    await this.table.dispatch(topic, event, () => {});
  }
  async subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    await this.connect();
    return this.table.add(topic, handler, options?.pattern ?? null);
  }
}

/**
 * Hears its own events back through the transport besides running them in `publish` (as a bus
 * that tails every log in its folder, its own included): its subscribers get each own event twice.
 */
export class EchoesOwnEvents extends ChannelBus {
  echo: BroadcastChannel | undefined;
  override async connect(): Promise<void> {
    await super.connect();
    // A second listener on the name hears what the first one posts.
    this.echo ??= this.listen();
  }
  override async close(): Promise<void> {
    this.echo = undefined;
    await super.close();
  }
}

/** Delivers each event from a peer twice (as a tail that reads a segment again after a rotation). */
export class HearsPeersTwice extends ChannelBus {
  protected override receive(dict: EventDict): void {
    super.receive(dict);
    super.receive(dict);
  }
}
