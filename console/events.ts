// The live feed: `GET /events` read with fetch (an EventSource cannot send the bearer token),
// parsed as Server-Sent Events, resumed after a drop with the last id it saw. It runs from the
// console's start, so the feed holds what happened while another view was open; views hear each
// event too (to refresh, or to say a bot changed elsewhere).
import { askToken, explain, TOKEN_EVENT, token, url } from "./api.ts";
import { fill, h, statusLine, when } from "./dom.ts";
import type { BusEvent, View, ViewContext } from "./types.ts";

const KEEP = 200;

/** The feed: its events (newest first), its state, and who listens. */
export class Feed {
  readonly events: BusEvent[] = [];
  state = "connecting";
  #listeners = new Set<(event: BusEvent) => void>();
  #states = new Set<() => void>();
  #lastId: string | undefined;

  /** Calls `listener` with each new event until the returned function is called. */
  onEvent(listener: (event: BusEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` when the state changes until the returned function is called. */
  onState(listener: () => void): () => void {
    this.#states.add(listener);
    return () => this.#states.delete(listener);
  }

  #set(state: string): void {
    this.state = state;
    for (const l of this.#states) l();
  }

  /** Connects, and reconnects with a growing pause (1 s to 15 s) whenever the stream ends. */
  async run(): Promise<void> {
    for (let pause = 1000; ; pause = Math.min(pause * 2, 15_000)) {
      try {
        if (await this.#stream()) pause = 1000;
      } catch (error) {
        this.#set(`reconnecting (${explain(error)})`);
      }
      if (this.state === "unavailable") return;
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** One connection; true when it got as far as `ready`. */
  async #stream(): Promise<boolean> {
    const kept = token();
    const query = this.#lastId ? `?last_event_id=${encodeURIComponent(this.#lastId)}` : "";
    const res = await fetch(url(`events${query}`), {
      headers: kept ? { authorization: `Bearer ${kept}` } : {},
    });
    if (res.status === 401) {
      this.#set("waiting for a token");
      await askToken(
        kept ? "The server refused the token given: enter another." : "This server needs a token.",
      ).catch(() => new Promise((r) => addEventListener(TOKEN_EVENT, r, { once: true })));
      return true;
    }
    if (res.status === 501 || res.status === 404) {
      this.#set("unavailable");
      return false;
    }
    if (!res.ok || !res.body) throw new Error(`${res.status} ${res.statusText}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let ready = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const frames = buffer.split(/\r?\n\r?\n/);
      buffer = frames.pop() ?? "";
      for (const frame of frames) {
        const fields: Record<string, string> = {};
        for (const line of frame.split(/\r?\n/)) {
          if (line === "" || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          fields[name] = fields[name] === undefined ? text : `${fields[name]}\n${text}`;
        }
        if (fields.event === "ready") {
          ready = true;
          this.#set("live");
        } else if (fields.data !== undefined && (fields.event ?? "message") === "message") {
          if (fields.id) this.#lastId = fields.id;
          this.#emit(JSON.parse(fields.data) as BusEvent);
        }
      }
    }
    this.#set("reconnecting");
    return ready;
  }

  #emit(event: BusEvent): void {
    this.events.unshift(event);
    this.events.length = Math.min(this.events.length, KEEP);
    for (const l of this.#listeners) l(event);
  }
}

/**
 * Runs `load` after events that `when` picks, once a burst of them has passed (200 ms), until the
 * returned function is called: how a view keeps current.
 * @example
 * return reloadOn(ctx, (e) => e.topic.startsWith("registry"), load);
 */
export function reloadOn(
  ctx: ViewContext,
  when: (event: BusEvent) => boolean,
  load: () => Promise<void>,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const off = ctx.onEvent((event) => {
    if (!when(event)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 200);
  });
  return () => {
    clearTimeout(timer);
    off();
  };
}

/** What an event is about, in a few words. */
function about(event: BusEvent): string {
  const p = event.payload;
  const parts = [
    p.bot_id !== undefined && `bot ${String(p.bot_id)}`,
    p.domain_id !== undefined && `knowledge base ${String(p.domain_id)}`,
    p.version !== undefined && `v${String(p.version)}`,
    p.label !== undefined && `label ${String(p.label)}`,
    p.actor !== undefined && `by ${String(p.actor)}`,
  ];
  return parts.filter(Boolean).join(" · ");
}

/**
 * `#/events`: the feed, newest first, each event's JSON one click away.
 * @example
 * await eventsView(feed)(main, ctx);
 */
export function eventsView(feed: Feed): View {
  return async (main) => {
    const status = statusLine();
    const list = h("ol", { class: "feed", "aria-live": "polite", "aria-relevant": "additions" });
    const item = (event: BusEvent): HTMLLIElement =>
      h(
        "li",
        null,
        h(
          "details",
          null,
          h(
            "summary",
            null,
            h("span", { class: "badge" }, event.type),
            " ",
            h("code", null, event.topic),
            " ",
            about(event),
            " ",
            h("small", { class: "muted" }, when(event.timestamp)),
          ),
          h("pre", null, JSON.stringify(event, null, 2)),
        ),
      );
    const say = (): void =>
      status.say(
        `Stream ${feed.state}; ${feed.events.length} event(s) shown (the last ${KEEP} kept).`,
      );
    fill(main, h("h1", { tabindex: "-1" }, "Live events"), status, list);
    fill(list, feed.events.map(item));
    say();
    const offEvent = feed.onEvent((event) => {
      list.prepend(item(event));
      while (list.children.length > KEEP) list.lastElementChild?.remove();
      say();
    });
    const offState = feed.onState(say);
    return () => {
      offEvent();
      offState();
    };
  };
}
