/**
 * What the buses over a server-side log share (the Redis stream bus, the PostgreSQL
 * LISTEN/NOTIFY bus with its events table): {@link LogFanout}, the local side — subscriptions,
 * delivery in log order, resynchronisation notices — and {@link followLog}, the loop that holds
 * one connection to the log at a time and opens the next, with backoff, after a loss.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { sleep } from "../util/turns.ts";
import { Event, type EventDict } from "./event.ts";
import { SubscriptionTable } from "./subscriptions.ts";
import type {
  ErrorReporter,
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "./types.ts";

/**
 * The subscriptions of one bus and its deliveries, one after another in the order they were
 * handed over (the log's order), so a slow handler delays later events and never reorders them.
 * @example
 * const fanout = new LogFanout("redis-bus", report);
 * fanout.deliver(line); // a publish body read back from the log
 */
export class LogFanout {
  readonly #table = new SubscriptionTable();
  readonly #source: string;
  readonly #report: ErrorReporter;
  #chain: Promise<void> = Promise.resolve();

  /** `source` names the bus in resynchronisation notices (`"redis-bus"`). */
  constructor(source: string, report: ErrorReporter) {
    this.#source = source;
    this.#report = report;
  }

  /** How many subscriptions are live. */
  get size(): number {
    return this.#table.size;
  }

  /** Adds a subscription (`pattern`: a glob on the publish topic). */
  add(topic: string, handler: EventHandler, pattern: string | null): Subscription {
    return this.#table.add(topic, handler, pattern);
  }

  /**
   * Queues the delivery of one publish body (`{ ...event.toDict(), topic }`, the routing topic
   * in `topic`); an unreadable one is reported and skipped.
   */
  deliver(body: string): void {
    let event: Event;
    try {
      event = Event.fromDict(JSON.parse(body) as EventDict);
    } catch (error) {
      this.#report(error, `an unreadable event in the ${this.#source} log`);
      return;
    }
    this.#queue(() => this.#table.dispatch(event.topic, event, this.#report));
  }

  /**
   * Delivers an event this bus published itself to its subscriptions now, outside the queue (a
   * handler that publishes does not wait for itself): what a bus with `delivery: "sync"` does.
   */
  deliverOwn(topic: string, event: Event): Promise<void> {
    return this.#table.dispatch(topic, event, this.#report);
  }

  /**
   * Queues a resynchronisation notice to every subscription: events may have been missed (the
   * log was trimmed past where this bus was, or its server restarted).
   */
  resync(): void {
    this.#queue(() => this.#table.announceReconnect(this.#source, this.#report));
  }

  /** Resolves when everything queued so far was delivered. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Drops every subscription. */
  clear(): void {
    this.#table.clear();
  }

  #queue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((e: unknown) => this.#report(e, "delivery"));
  }
}

/** Backoff between connection attempts, in ms. */
export interface ReconnectDelays {
  /** The first wait after a loss (default 100). */
  initialDelayMs?: number;
  /** The longest wait, doubling up to it (default 5 000). */
  maxDelayMs?: number;
}

/** What {@link followLog} runs. */
export interface FollowLogOptions {
  /** Aborted when the bus closes: the loop ends. */
  signal: AbortSignal;
  /**
   * One connection's life: connects, catches up (`resumed`: this is not the first connection,
   * so look for what was missed), calls `established()` once it follows the log, and returns or
   * throws when the connection is lost.
   */
  session(resumed: boolean, established: () => void): Promise<void>;
  /** Names the log in reports (`"redis stream events:stream"`). */
  what: string;
  report: ErrorReporter;
  delays?: ReconnectDelays | undefined;
}

/**
 * Runs sessions until `signal` aborts: after a loss, waits (backoff with jitter, reset once a
 * session is established) and opens the next one. Resolves with the first session established;
 * rejects when the first one fails before that (a wrong address, the server down at start).
 * @example
 * await followLog({ signal, session: (resumed, up) => follow(resumed, up), what: "…", report });
 */
export function followLog(options: FollowLogOptions): Promise<void> {
  const { signal, report, what } = options;
  const initial = options.delays?.initialDelayMs ?? 100;
  const max = options.delays?.maxDelayMs ?? 5000;
  return new Promise<void>((resolve, reject) => {
    let started = false;
    const established = (): void => {
      delay = initial;
      if (!started) {
        started = true;
        resolve();
      }
    };
    let delay = initial;
    void (async () => {
      for (let resumed = false; !signal.aborted; resumed = true) {
        try {
          await options.session(resumed, established);
          if (!signal.aborted) throw new Error(`${what}: the connection ended`);
        } catch (error) {
          if (signal.aborted) break;
          if (!started) return reject(error);
          report(error, `${what}: ${errorMessage(error)}; reconnecting`);
        }
        // Jitter spreads the reconnecting buses of many processes after a server restart.
        await sleep(delay * (0.5 + Math.random() / 2), signal).catch(() => {});
        delay = Math.min(delay * 2, max);
      }
      if (!started) reject(new Error(`${what}: closed before connecting`));
    })();
  });
}

/**
 * The shape of a bus over a server-side log: a subclass connects (following the log, handing
 * what it reads to `fanout`), publishes and closes; subscribing is the same for all.
 */
export abstract class LogEventBus implements EventBus {
  abstract readonly capabilities: EventBusCapabilities;
  /** The bus's subscriptions and deliveries. */
  protected abstract readonly fanout: LogFanout;
  abstract connect(): Promise<void>;
  abstract close(): Promise<void>;
  abstract publish(topic: string, event: Event): Promise<void>;

  /** Subscribes once the bus follows its log, so an event published after this resolves is delivered. */
  async subscribe(
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    await this.connect();
    return this.fanout.add(topic, handler, options.pattern ?? null);
  }
}
