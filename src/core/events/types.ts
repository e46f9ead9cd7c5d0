/**
 * The {@link EventBus} port: every bus (memory, Durable Objects, BroadcastChannel, Redis,
 * PostgreSQL) implements it and passes the event-bus conformance suite.
 * @module
 */
import type { Event } from "./event.ts";

/** Receives events; may be async. A throwing handler never stops delivery to the others. */
export type EventHandler = (event: Event) => void | Promise<void>;

/** A live subscription. `cancel()` is idempotent. */
export interface Subscription {
  readonly subscriptionId: string;
  readonly topic: string;
  readonly pattern: string | null;
  cancel(): void | Promise<void>;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** A glob (`*`, `?`, `[...]`) matched against the publish topic; the `topic` argument is then only a label. */
  pattern?: string;
}

/** What a bus guarantees, as data: the conformance suite gates its cases on it. */
export interface EventBusCapabilities {
  /** `sync`: `publish` resolves after local handlers ran. `async`: delivery follows later. */
  delivery: "sync" | "async";
  /** Whether events cross process/isolate boundaries. */
  distributed: boolean;
  /**
   * The largest event `publish` takes, in UTF-8 bytes of its JSON (`{ ...event.toDict(), topic }`);
   * a larger one is refused with `ValidationError` before anything is sent, and reaches no one.
   * Absent: no limit of the bus's own (memory). Transports have theirs: PostgreSQL `NOTIFY`
   * payloads are under 8000 bytes, the Durable Object hub and `botknobs/server`'s `POST /events`
   * take 64 KiB by default. Events carry ids and versions, not documents.
   */
  maxEventBytes?: number;
}

/** Publish/subscribe over topics. */
export interface EventBus {
  readonly capabilities: EventBusCapabilities;
  /** Idempotent. */
  connect(): Promise<void>;
  /** Drops every subscription. */
  close(): Promise<void>;
  /** Routes by the `topic` argument (not `event.topic`). */
  publish(topic: string, event: Event): Promise<void>;
  subscribe(
    topic: string,
    handler: EventHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
}

/** Called with errors a bus or manager swallowed (a throwing handler, a failed publish). */
export type ErrorReporter = (error: unknown, context: string) => void;
