/**
 * {@link SSEEventBus}: an `EventBus` over a `botknobs/server` app's `/events` — it reads the
 * Server-Sent Events stream with `fetch` (so it runs wherever `fetch` streams: Workers, Node,
 * Deno, Bun, browsers) and publishes with `POST /events`.
 * @module
 */
import { HttpError } from "../errors.ts";
import type { EventDict } from "./event.ts";
import { RemoteEventBus, type RemoteEventBusOptions, type StreamCallbacks } from "./remote-bus.ts";
import { SseParser } from "./sse-parser.ts";

/** Options of {@link SSEEventBus}. */
export type SSEEventBusOptions = RemoteEventBusOptions;

/**
 * A remote event bus over Server-Sent Events. Delivery is asynchronous, in stream order. After a
 * lost connection it reconnects by itself (with backoff), naming its last event: the server
 * replays what it still remembers, or else every subscription gets an
 * `Event({ type: "custom", payload: { reconnected: true } })` to resynchronise.
 * @example
 * const bus = new SSEEventBus({ baseUrl: "https://bots.example.com", authToken: "s3cret" });
 * await bus.connect();
 * await bus.subscribe("registry:bots", (e) => console.log(e.type, e.payload.bot_id));
 */
export class SSEEventBus extends RemoteEventBus {
  protected readonly transport: string = "sse";

  protected async stream(
    topics: string[],
    signal: AbortSignal,
    on: StreamCallbacks,
    lastEventId: string | undefined,
  ): Promise<void> {
    const response = await this.fetch(this.streamUrl(topics, lastEventId), {
      headers: { ...this.headers, accept: "text/event-stream" },
      signal,
    });
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => "");
      throw new HttpError(
        response.status,
        `GET ${this.url} answered ${response.status}: ${text.slice(0, 500)}`,
      );
    }
    const parser = new SseParser();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        on.alive();
        for (const message of parser.push(value)) {
          if (message.event === "ready") on.ready(readyResumed(message.data));
          else if (message.event === "message") {
            let dict: EventDict;
            try {
              dict = JSON.parse(message.data) as EventDict;
            } catch (error) {
              this.report(error, `bad event on ${this.url}`);
              continue;
            }
            on.event(dict);
          }
        }
      }
    } finally {
      reader.releaseLock();
    }
  }
}

function readyResumed(data: string): boolean {
  try {
    return (JSON.parse(data) as { resumed?: unknown }).resumed === true;
  } catch {
    return false;
  }
}
