/**
 * The event model: {@link EventType} and {@link Event}.
 * @module
 */
import { parseTimestamp } from "../util/json.ts";

/** What happened. Values are the seed's strings: `EventType.UPDATED === "updated"`. */
export const EventType = {
  CREATED: "created",
  UPDATED: "updated",
  DELETED: "deleted",
  ACTIVATED: "activated",
  DEACTIVATED: "deactivated",
  ERROR: "error",
  CUSTOM: "custom",
} as const;
/** One of the {@link EventType} values. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/**
 * The one grammar of event ids on the wire (`POST /events`, the SSE `id:` field, `Last-Event-ID`,
 * `?last_event_id=`): 1–128 characters of `[A-Za-z0-9._:@-]` (a UUID, the default, fits). Nothing
 * else is written into a stream's `id:` field, so no id can carry a line break into it.
 */
export const EVENT_ID_PATTERN: RegExp = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * True when `id` follows {@link EVENT_ID_PATTERN}.
 * @example
 * isEventId(crypto.randomUUID()); // true
 * isEventId("x\nevent: ready"); // false
 */
export function isEventId(id: unknown): id is string {
  return typeof id === "string" && EVENT_ID_PATTERN.test(id);
}

/** The fields of an {@link Event}; all but `type` and `topic` have defaults. */
export interface EventInit {
  type: EventType;
  topic: string;
  payload?: Record<string, unknown>;
  timestamp?: Date;
  eventId?: string;
  source?: string | null;
  correlationId?: string | null;
  metadata?: Record<string, unknown>;
}

/** The wire form of an event (snake_case, ISO timestamp), as the original system writes it. */
export interface EventDict {
  type: string;
  topic: string;
  payload: Record<string, unknown>;
  timestamp: string;
  event_id: string;
  source: string | null;
  correlation_id: string | null;
  metadata: Record<string, unknown>;
}

/**
 * Something that happened, published on a topic of an {@link EventBus}.
 * @example
 * new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: "support-bot" } })
 */
export class Event {
  readonly type: EventType;
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly timestamp: Date;
  readonly eventId: string;
  readonly source: string | null;
  readonly correlationId: string | null;
  readonly metadata: Record<string, unknown>;

  constructor(init: EventInit) {
    this.type = init.type;
    this.topic = init.topic;
    this.payload = init.payload ?? {};
    this.timestamp = init.timestamp ?? new Date();
    this.eventId = init.eventId ?? crypto.randomUUID();
    this.source = init.source ?? null;
    this.correlationId = init.correlationId ?? null;
    this.metadata = init.metadata ?? {};
  }

  /** A copy with `correlationId` set. */
  withCorrelation(correlationId: string): Event {
    return new Event({ ...this, correlationId });
  }

  /** The wire form. */
  toDict(): EventDict {
    return {
      type: this.type,
      topic: this.topic,
      payload: this.payload,
      timestamp: this.timestamp.toISOString(),
      event_id: this.eventId,
      source: this.source,
      correlation_id: this.correlationId,
      metadata: this.metadata,
    };
  }

  /** Same as {@link Event.toDict}, so `JSON.stringify(event)` gives the wire form. */
  toJSON(): EventDict {
    return this.toDict();
  }

  /** Reads the wire form; `type` and `topic` are required. */
  static fromDict(data: Partial<EventDict> & { type: string; topic: string }): Event {
    if (typeof data?.type !== "string" || typeof data.topic !== "string") {
      throw new TypeError("Event.fromDict needs string 'type' and 'topic'");
    }
    return new Event({
      type: data.type as EventType,
      topic: data.topic,
      payload: data.payload ?? {},
      timestamp: parseTimestamp(data.timestamp, new Date()),
      eventId: data.event_id ?? crypto.randomUUID(),
      source: data.source ?? null,
      correlationId: data.correlation_id ?? null,
      metadata: data.metadata ?? {},
    });
  }
}
