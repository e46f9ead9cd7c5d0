/**
 * {@link FileEventBus}: an `EventBus` over a folder that the processes of one host share — what
 * `createFileApp` (and so `npm start`) links the registry, ingestion and `/events` with, so a
 * client of any process hears every write made through any other.
 * @module
 */
import { AdapterError, errorMessage, ValidationError } from "../../core/errors.ts";
import { Event, type EventDict } from "../../core/events/event.ts";
import { SubscriptionTable } from "../../core/events/subscriptions.ts";
import type {
  ErrorReporter,
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "../../core/events/types.ts";
import { checkMaxEventBytes, publishBody } from "../../core/events/wire.ts";
import { SegmentTail } from "./fs-event-tail.ts";
import { SegmentWriter } from "./fs-event-writer.ts";

/** Options of {@link FileEventBus}. */
export interface FileEventBusOptions {
  /** The folder every process's bus shares, e.g. `./data/events`. */
  path: string;
  /** The largest event, in bytes of its JSON (default 65 536, as `POST /events` takes). */
  maxEventBytes?: number;
  /** A bus's log segment is rotated past this size (default 1 MiB; it keeps the last two). */
  segmentBytes?: number;
  /** Besides watching the folder (`fs.watch`), look this often (ms, default 250). */
  pollMs?: number;
  /** Segments of other processes unchanged this long are removed (ms, default 10 minutes). */
  retainMs?: number;
  /** Told about unreadable lines, a failed watch, throwing handlers. */
  onError?: ErrorReporter;
  /** The clock, in ms since the epoch (default `Date.now`), for the idle and retention times. */
  now?: () => number;
}

/** Writer names: this process and a random part, so two buses of one process differ too. */
function writerName(): string {
  const pid = typeof process === "object" ? process.pid : 0;
  return `p${pid}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * An event bus shared by the processes of one host through a folder. `publish` appends the event
 * as one line to this bus's own log (`<writer>.<n>.jsonl`, one `write` per event, rotated at
 * `segmentBytes`) and then runs the local handlers (`delivery: "sync"`, as the memory bus); every
 * bus tails the other buses' logs (woken by `fs.watch`, with a poll as a fallback) and delivers
 * their events, in each publisher's order, exactly once — its own never come back to it. A bus
 * hears what others publish after its `connect()` (`subscribe` connects). A bus that fell more
 * than a whole segment behind (or whose read failed) tells each subscription with a `custom`
 * event, `payload.reconnected: true`, as the remote buses do after a lost stream, so caches and
 * hot reloaders resynchronise. One host only: not for a network file system shared by several.
 * @example
 * const bus = new FileEventBus({ path: "./data/events" });
 * await bus.subscribe("registry:*", (e) => console.log(e.payload), { pattern: "registry:*" });
 * // another process: await new FileEventBus({ path: "./data/events" }).publish("registry:bots", event);
 */
export class FileEventBus implements EventBus {
  readonly capabilities: EventBusCapabilities;
  /** The shared folder. */
  readonly path: string;
  readonly #table = new SubscriptionTable();
  readonly #writer: SegmentWriter;
  readonly #name = writerName();
  readonly #report: ErrorReporter;
  readonly #pollMs: number;
  readonly #retainMs: number;
  readonly #now: () => number;
  #tail: SegmentTail | null = null;
  #ready: Promise<void> | null = null;

  constructor(options: FileEventBusOptions) {
    if (typeof options?.path !== "string" || options.path === "")
      throw new ValidationError("FileEventBus needs a path: the folder the processes share");
    const max = checkMaxEventBytes(options.maxEventBytes ?? 64 * 1024);
    this.capabilities = { delivery: "sync", distributed: true, maxEventBytes: max };
    this.path = options.path;
    this.#report = options.onError ?? (() => {});
    this.#pollMs = options.pollMs ?? 250;
    this.#retainMs = options.retainMs ?? 600_000;
    this.#now = options.now ?? Date.now;
    const segmentBytes = options.segmentBytes ?? 1024 * 1024;
    if (!Number.isInteger(segmentBytes) || segmentBytes < max)
      throw new ValidationError(
        `Invalid segmentBytes ${segmentBytes}: expected an integer ≥ maxEventBytes (${max})`,
      );
    this.#writer = new SegmentWriter({
      dir: this.path,
      writer: this.#name,
      segmentBytes,
      now: this.#now,
      retainMs: this.#retainMs,
    });
  }

  /** Starts tailing the other processes' logs from where they are now. Idempotent. */
  connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    const tail = new SegmentTail({
      dir: this.path,
      self: this.#name,
      lines: (lines, writer) => this.#deliver(lines, writer),
      gap: () => this.#table.announceReconnect("file-bus", this.#report),
      pollMs: this.#pollMs,
      retainMs: this.#retainMs,
      now: this.#now,
      report: this.#report,
    });
    const ready = tail.start().then(
      () => {
        if (this.#ready === ready) this.#tail = tail;
        else void tail.stop();
      },
      (error: unknown) => {
        if (this.#ready === ready) this.#ready = null;
        void tail.stop();
        throw new AdapterError(
          "fs",
          `could not watch events in ${this.path}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      },
    );
    this.#ready = ready;
    return ready;
  }

  async #deliver(lines: string[], writer: string): Promise<void> {
    for (const line of lines) {
      let event: Event;
      try {
        event = Event.fromDict(JSON.parse(line) as EventDict);
      } catch (error) {
        this.#report(error, `an unreadable event line from ${writer} in ${this.path}`);
        continue;
      }
      await this.#table.dispatch(event.topic, event, this.#report);
    }
  }

  /** Stops tailing and drops every subscription (`connect()` starts again). */
  async close(): Promise<void> {
    const tail = this.#tail;
    this.#tail = null;
    this.#ready = null;
    this.#table.clear();
    await tail?.stop();
    await this.#writer.close();
  }

  /**
   * Appends the event to this bus's log (other processes' buses deliver it from there), then
   * runs the local handlers. Over `maxEventBytes` it is refused with `ValidationError`, before
   * anything is written.
   */
  async publish(topic: string, event: Event): Promise<void> {
    const line = publishBody(topic, event, this.capabilities.maxEventBytes as number, "\n");
    try {
      await this.#writer.append(line);
    } catch (error) {
      throw new AdapterError(
        "fs",
        `could not append an event to ${this.path}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    await this.#table.dispatch(topic, event, this.#report);
  }

  /** Subscribes once the tail is live, so an event another process publishes after this resolves is delivered. */
  async subscribe(
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    await this.connect();
    return this.#table.add(topic, handler, options.pattern ?? null);
  }
}
