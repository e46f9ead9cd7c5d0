/**
 * {@link DurableObjectEventBus}: an `EventBus` whose events go through an {@link EventHub}
 * Durable Object, so they cross isolates (and Workers bound to the same namespace).
 * @module
 */
import type { RemoteEventBusOptions } from "../../core/events/remote-bus.ts";
import {
  type WebSocketConnect,
  WebSocketEventBus,
  type WebSocketLike,
} from "../../core/events/ws-bus.ts";
import { MAX_EVENT_BYTES } from "./durable-object-hub.ts";
import type { EventHubNamespace } from "./types.ts";

/** Options of {@link DurableObjectEventBus}. */
export interface DurableObjectEventBusOptions
  extends Omit<RemoteEventBusOptions, "baseUrl" | "fetch" | "path" | "authToken" | "authHeader"> {
  /** The hub's binding (`env.EVENTS`); passed in, never looked up. */
  namespace: EventHubNamespace;
  /** Which hub object (default `"events"`): buses on the same name share events. */
  name?: string;
  /**
   * Seconds between the bus's pings on an idle connection (default 20). The hub's runtime
   * answers them without waking the object, and the answers keep `idleTimeout` from firing.
   */
  pingSeconds?: number;
}

/** Where requests to the hub go; the hub ignores the host and the path. */
const HUB_URL = "https://event-hub.botknobs.internal";

/**
 * A function sending one request to the hub object named `name`. A new stub per call: a stub
 * is cheap, and none is kept across requests.
 * @example
 * const call = hubCaller(env.EVENTS);
 * await call(new Request("https://hub/", { method: "POST", body }));
 */
export function hubCaller(
  namespace: EventHubNamespace,
  name = "events",
): (request: Request) => Promise<Response> {
  return (request) =>
    namespace.get(namespace.idFromName(name)).fetch(request as never) as Promise<Response>;
}

/** Opens a socket to the hub through `call` (a fetch upgrade) and keeps it pinged. */
function hubConnect(
  call: (request: Request) => Promise<Response>,
  pingMs: number,
): WebSocketConnect {
  return async (url) => {
    const response = await call(
      new Request(url.replace(/^ws/i, "http"), { headers: { upgrade: "websocket" } }),
    );
    const socket = (response as Response & { webSocket?: WebSocketLike & { accept(): void } })
      .webSocket;
    if (!socket) {
      const text = await response.text().catch(() => "");
      throw new Error(`the event hub refused the subscription: HTTP ${response.status} ${text}`);
    }
    socket.accept();
    const timer = setInterval(() => {
      try {
        socket.send('{"kind":"ping"}');
      } catch {
        clearInterval(timer);
      }
    }, pingMs);
    socket.addEventListener("close", () => clearInterval(timer));
    socket.addEventListener("error", () => clearInterval(timer));
    return socket;
  };
}

/**
 * An event bus over an {@link EventHub} Durable Object: `publish` posts the event to the hub,
 * which fans it out to every subscribed bus (here too) over WebSockets it holds with the
 * Hibernation API. Delivery is asynchronous, in the hub's order. A lost connection is re-opened
 * with the last event id seen: the hub replays what was missed from its window; when it cannot
 * (the id fell out of the window, or the hub restarted since), every subscription gets an
 * `Event({ type: "custom", payload: { reconnected: true } })` to resynchronise.
 *
 * In workerd a socket belongs to the request that opened it: open (`connect`/`subscribe`) the
 * bus in the request, or the `waitUntil`, whose life it should share.
 * @example
 * const bus = new DurableObjectEventBus({ namespace: env.EVENTS });
 * await bus.subscribe("registry:bots", (e) => manager.invalidate(String(e.payload.bot_id)));
 */
export class DurableObjectEventBus extends WebSocketEventBus {
  protected override readonly transport: string = "durable-object";

  constructor(options: DurableObjectEventBusOptions) {
    const { namespace, name, pingSeconds, ...rest } = options;
    const call = hubCaller(namespace, name);
    super({
      // The hub takes events up to its own limit, not only a server's default.
      maxEventBytes: MAX_EVENT_BYTES,
      ...rest,
      baseUrl: HUB_URL,
      fetch: (input, init) => call(new Request(input, init)),
      connect: hubConnect(call, (pingSeconds ?? 20) * 1000),
    });
  }
}
