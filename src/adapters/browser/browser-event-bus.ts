/**
 * {@link BroadcastChannelEventBus}: an event bus the tabs and workers of one origin hear each
 * other on, with a bounded replay log in IndexedDB for a tab back from sleep.
 * @module
 */
import { errorMessage, ValidationError } from "../../core/errors.ts";
import type { Event } from "../../core/events/event.ts";
import { matchTopic } from "../../core/events/glob.ts";
import { LogEventBus, LogFanout } from "../../core/events/log-follow.ts";
import type { ErrorReporter, EventBusCapabilities } from "../../core/events/types.ts";
import { checkMaxEventBytes, publishText } from "../../core/events/wire.ts";
import { BrowserDatabase, type BrowserDatabaseOptions } from "./browser-database.ts";
import { BrowserEventLog, type LogRow } from "./browser-event-log.ts";

/** Options of {@link BroadcastChannelEventBus}. */
export interface BroadcastChannelEventBusOptions extends BrowserDatabaseOptions {
  /** The BroadcastChannel name, and the name of its replay log (default `"botknobs"`). */
  channel?: string;
  /** How many events the log keeps for tabs that slept (default 1 000). */
  replayWindow?: number;
  /** The largest event, in bytes of its JSON (default 65 536, as `POST /events` takes). */
  maxEventBytes?: number;
  /**
   * Only events of other tabs on these topics (globs) reach this bus's subscriptions; the rest
   * are skipped unread. Default: all.
   */
  topics?: string[];
  /** Told about unreadable events, failed log reads, throwing handlers. */
  onError?: ErrorReporter;
}

/** What goes over the channel: a log row. */
type Message = LogRow;

/** Rows read per log read while catching up. */
const BATCH = 500;

function isMessage(data: unknown): data is Message {
  const m = data as Partial<Message> | null;
  return (
    typeof m?.seq === "number" &&
    typeof m.writer === "string" &&
    typeof m.topic === "string" &&
    typeof m.body === "string"
  );
}

/**
 * An event bus over a `BroadcastChannel`: what one tab (or worker) publishes reaches every other
 * bus of the origin on the same `channel`, so a config written in one tab invalidates the bot
 * cached in another (a `CachingRegistryManager` or `HotReloadManager` given this bus). `publish`
 * appends the event to the channel's replay log in IndexedDB (one transaction that numbers it:
 * every tab's events form one sequence), posts it on the channel, then runs the local handlers
 * (`delivery: "sync"`). A bus delivers the other tabs' events once each, in log order: a message
 * that arrives ahead of one it has not seen makes it read the log from where it was.
 *
 * A tab that sleeps (the page lifecycle's `freeze`, or {@link BroadcastChannelEventBus.suspend})
 * stops listening; on `resume` (or {@link BroadcastChannelEventBus.resume}, or the page shown
 * again) it reads what it missed from the log. When the log was trimmed past where it was (it
 * keeps the newest `replayWindow`), every subscription gets `Event({ type: "custom", payload: {
 * reconnected: true } })`, as the remote buses send, so caches and hot reloaders resynchronise.
 * A bus hears what others publish after its `connect()` (`subscribe` connects).
 * @example
 * const bus = new BroadcastChannelEventBus({ channel: "my-app" });
 * const registry = new StoreRegistryBackend({ store: new IndexedDBRecordStore(), eventBus: bus });
 */
export class BroadcastChannelEventBus extends LogEventBus {
  readonly capabilities: EventBusCapabilities;
  /** The channel's name. */
  readonly channel: string;
  protected readonly fanout: LogFanout;
  readonly #log: BrowserEventLog;
  readonly #db: BrowserDatabase;
  readonly #topics: string[] | null;
  readonly #report: ErrorReporter;
  /** This bus's name in the rows it writes, so it skips its own. */
  readonly #writer = crypto.randomUUID();
  #ready: Promise<void> | null = null;
  #port: BroadcastChannel | null = null;
  #suspended = false;
  /** The last seq accounted for: every event up to it was delivered (or skipped). */
  #last = 0;
  /** Seqs of this bus's own events above `#last`, accounted for once `#last` reaches them. */
  readonly #own = new Set<number>();
  /** Log reads and deliveries, one after another. */
  #chain: Promise<void> = Promise.resolve();
  #unlisten: (() => void) | null = null;

  constructor(options: BroadcastChannelEventBusOptions = {}) {
    super();
    const channel = options.channel ?? "botknobs";
    if (typeof channel !== "string" || channel === "")
      throw new ValidationError("Invalid channel: expected a non-empty string", [
        { path: ["channel"], message: "expected a non-empty string" },
      ]);
    const window = options.replayWindow ?? 1000;
    if (!Number.isInteger(window) || window < 1)
      throw new ValidationError(`Invalid replayWindow ${window}: expected an integer ≥ 1`, [
        { path: ["replayWindow"], message: "expected an integer ≥ 1" },
      ]);
    if (typeof BroadcastChannel === "undefined")
      throw new ValidationError(
        "BroadcastChannelEventBus needs BroadcastChannel: run it in a browser or a worker of one",
      );
    const max = checkMaxEventBytes(options.maxEventBytes ?? 64 * 1024);
    this.capabilities = { delivery: "sync", distributed: true, maxEventBytes: max };
    this.channel = channel;
    this.#topics = options.topics ?? null;
    this.#report = options.onError ?? (() => {});
    this.fanout = new LogFanout("broadcast-channel-bus", this.#report);
    this.#db = new BrowserDatabase("broadcast-channel-bus", options);
    this.#log = new BrowserEventLog(this.#db, channel, window);
  }

  /** Listens on the channel from the log's end; resolves once it does. Idempotent. */
  connect(): Promise<void> {
    this.#ready ??= this.#start().catch((error: unknown) => {
      this.#ready = null;
      this.#stopListening();
      throw error;
    });
    return this.#ready;
  }

  async #start(): Promise<void> {
    this.#suspended = false;
    this.#listen();
    this.#watchLifecycle();
    // Messages that arrive meanwhile queue behind this: those at or below the end are skipped.
    await this.#queue(async () => {
      this.#last = (await this.#log.position()).last;
      this.#own.clear();
    });
  }

  #listen(): void {
    const port = new BroadcastChannel(this.channel);
    port.onmessage = (message: MessageEvent<unknown>) => {
      if (port !== this.#port) return;
      const data = message.data;
      if (isMessage(data)) void this.#queue(() => this.#receive(data));
      else this.#report(new Error("not a botknobs event"), `a message on ${this.channel}`);
    };
    this.#port = port;
  }

  #stopListening(): void {
    this.#port?.close();
    this.#port = null;
  }

  /** Suspends on the page's `freeze`, catches up on `resume` and when the page is shown again. */
  #watchLifecycle(): void {
    const doc = (globalThis as { document?: Document }).document;
    if (doc === undefined || this.#unlisten !== null) return;
    const freeze = (): void => this.suspend();
    const wake = (): void => {
      if (doc.visibilityState !== "hidden") void this.resume().catch(() => {});
    };
    doc.addEventListener("freeze", freeze);
    doc.addEventListener("resume", wake);
    doc.addEventListener("visibilitychange", wake);
    globalThis.addEventListener?.("pageshow", wake);
    this.#unlisten = () => {
      doc.removeEventListener("freeze", freeze);
      doc.removeEventListener("resume", wake);
      doc.removeEventListener("visibilitychange", wake);
      globalThis.removeEventListener?.("pageshow", wake);
    };
  }

  /**
   * Stops listening, as a frozen tab does (called on the page's `freeze`): what is published
   * meanwhile reaches this bus only by {@link BroadcastChannelEventBus.resume}. Idempotent.
   */
  suspend(): void {
    if (this.#ready === null) return;
    this.#suspended = true;
    this.#stopListening();
  }

  /**
   * Listens again and delivers what was published while suspended, from the log, once each and
   * in order; when the log no longer holds all of it, tells every subscription to resynchronise.
   * Called on the page's `resume`, `pageshow` and when it becomes visible; a bus that was not
   * suspended just checks the log for anything it missed.
   */
  async resume(): Promise<void> {
    if (this.#ready === null) return;
    await this.#ready;
    if (this.#suspended) {
      this.#suspended = false;
      this.#listen();
    }
    await this.#queue(() => this.#catchUp());
  }

  #queue(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task);
    this.#chain = run.catch((error: unknown) =>
      this.#report(error, `reading the replay log of ${this.channel}: ${errorMessage(error)}`),
    );
    return run;
  }

  /** A message from another tab: the next one is delivered, one past a gap makes it read the log. */
  async #receive(message: Message): Promise<void> {
    if (message.seq <= this.#last) return;
    if (message.seq === this.#last + 1) this.#apply(message);
    else await this.#catchUp();
  }

  /** Delivers the rows after `#last` from the log, or tells subscriptions to resynchronise. */
  async #catchUp(): Promise<void> {
    for (;;) {
      const { rows, position } = await this.#log.after(this.#last, BATCH);
      if (position.trimmed > this.#last) {
        // Events this bus had not heard were trimmed away: it may have missed some.
        this.#last = position.last;
        this.#own.clear();
        this.fanout.resync();
        return;
      }
      for (const row of rows) if (row.seq === this.#last + 1) this.#apply(row);
      if (rows.length < BATCH) return;
    }
  }

  /** Accounts for `row` (the next seq) and delivers it unless it is this bus's own or filtered out. */
  #apply(row: LogRow): void {
    this.#last = row.seq;
    if (row.writer !== this.#writer && this.#wanted(row.topic)) this.fanout.deliver(row.body);
    this.#advanceOwn();
  }

  #advanceOwn(): void {
    while (this.#own.delete(this.#last + 1)) this.#last++;
  }

  #wanted(topic: string): boolean {
    return this.#topics === null || this.#topics.some((glob) => matchTopic(glob, topic));
  }

  /** Stops listening and drops every subscription (`connect()` starts again). */
  async close(): Promise<void> {
    this.#ready = null;
    this.#stopListening();
    this.#unlisten?.();
    this.#unlisten = null;
    await this.#chain;
    await this.fanout.idle();
    this.fanout.clear();
    await this.#db.close();
  }

  /**
   * Appends the event to the log, posts it to the other tabs, then runs the local handlers. Over
   * `maxEventBytes` it is refused with `ValidationError` before anything is written; a failed
   * write (a full quota) is an `AdapterError`, and the event reaches no one.
   */
  async publish(topic: string, event: Event): Promise<void> {
    const body = publishText(topic, event, this.capabilities.maxEventBytes as number);
    const seq = await this.#log.append(this.#writer, topic, body);
    const message: Message = { seq, writer: this.#writer, topic, body };
    if (this.#port !== null) this.#port.postMessage(message);
    else {
      // Suspended or never connected: post through a channel of its own.
      const port = new BroadcastChannel(this.channel);
      port.postMessage(message);
      port.close();
    }
    if (this.#ready !== null && seq > this.#last) {
      this.#own.add(seq);
      this.#advanceOwn();
    }
    await this.fanout.deliverOwn(topic, event);
  }
}
