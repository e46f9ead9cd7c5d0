/**
 * The subscription table every bus shares: exact topics, glob patterns, and dispatch that awaits
 * each handler in turn and never lets one handler's failure stop the others.
 * @module
 */
import { Event, EventType } from "./event.ts";
import { matchTopic } from "./glob.ts";
import type { ErrorReporter, EventHandler, Subscription } from "./types.ts";

interface Entry extends Subscription {
  readonly handler: EventHandler;
}

/** Subscriptions of one bus. Buses with a remote transport reuse it for local fan-out. */
export class SubscriptionTable {
  readonly #exact = new Map<string, Map<string, Entry>>();
  readonly #patterns = new Map<string, Entry>();
  readonly #onEmpty: ((topic: string, pattern: string | null) => void) | undefined;

  /** `onEmpty` is told when the last subscription of a topic (or pattern) goes, e.g. to UNLISTEN. */
  constructor(onEmpty?: (topic: string, pattern: string | null) => void) {
    this.#onEmpty = onEmpty;
  }

  /** How many subscriptions are live. */
  get size(): number {
    let n = this.#patterns.size;
    for (const m of this.#exact.values()) n += m.size;
    return n;
  }

  /** True when some exact subscription listens on `topic`. */
  hasTopic(topic: string): boolean {
    return this.#exact.has(topic);
  }

  /** Adds a subscription; `pattern` makes it a glob subscription. */
  add(topic: string, handler: EventHandler, pattern: string | null): Subscription {
    const subscriptionId = crypto.randomUUID();
    let active = true;
    const entry: Entry = {
      subscriptionId,
      topic,
      pattern,
      handler,
      cancel: () => {
        if (!active) return;
        active = false;
        this.#remove(entry);
      },
    };
    if (pattern !== null) this.#patterns.set(subscriptionId, entry);
    else {
      const byId = this.#exact.get(topic) ?? new Map<string, Entry>();
      this.#exact.set(topic, byId);
      byId.set(subscriptionId, entry);
    }
    return entry;
  }

  #remove(entry: Entry): void {
    if (entry.pattern !== null) {
      this.#patterns.delete(entry.subscriptionId);
      this.#onEmpty?.(entry.topic, entry.pattern);
      return;
    }
    const byId = this.#exact.get(entry.topic);
    if (!byId?.delete(entry.subscriptionId)) return;
    if (byId.size === 0) {
      this.#exact.delete(entry.topic);
      this.#onEmpty?.(entry.topic, null);
    }
  }

  /** The handlers for a publish on `topic`: exact ones first, then matching patterns. */
  handlersFor(topic: string): EventHandler[] {
    const out: EventHandler[] = [];
    const byId = this.#exact.get(topic);
    if (byId) for (const e of byId.values()) out.push(e.handler);
    for (const e of this.#patterns.values())
      if (matchTopic(e.pattern as string, topic)) out.push(e.handler);
    return out;
  }

  /** Calls every handler for `topic` in turn, awaiting each; a failure goes to `report`. */
  async dispatch(topic: string, event: Event, report: ErrorReporter): Promise<void> {
    for (const handler of this.handlersFor(topic)) {
      try {
        await handler(event);
      } catch (error) {
        report(error, `event handler for ${topic}`);
      }
    }
  }

  /**
   * Tells every subscription, once each, that events may have been missed (a bus that lost its
   * stream, or fell behind its log): an `Event({ type: "custom", payload: { reconnected: true } })`
   * on the subscription's topic, from `source`. Caches and hot reloaders resynchronise on it.
   */
  async announceReconnect(source: string, report: ErrorReporter): Promise<void> {
    const entries = [...this.#exact.values()].flatMap((m) => [...m.values()]);
    for (const entry of [...entries, ...this.#patterns.values()]) {
      const event = new Event({
        type: EventType.CUSTOM,
        topic: entry.topic,
        payload: { reconnected: true },
        source,
      });
      try {
        await entry.handler(event);
      } catch (error) {
        report(error, `reconnect notice for ${entry.topic}`);
      }
    }
  }

  /** Drops everything. */
  clear(): void {
    this.#exact.clear();
    this.#patterns.clear();
  }
}
