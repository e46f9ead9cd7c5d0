/**
 * `upgradeWebSocket` for Workers (workerd): Hono's helper shape over a `WebSocketPair`, so that
 * `createApp({ upgradeWebSocket })` streams `/events` over WebSockets in a Worker. Unlike
 * `hono/cloudflare-workers`' helper it also calls `onOpen` (right after `accept()`, when the
 * socket can already send), which the event stream needs to subscribe.
 *
 * Mind workerd's rule that one request's I/O objects (this socket) cannot be used from another
 * request: in a plain Worker such a stream only carries events raised while serving the request
 * that opened it. Events from every request reach every client through a Durable Object.
 * @module
 */
import {
  defineWebSocketHelper,
  type UpgradeWebSocket,
  WSContext,
  type WSReadyState,
} from "hono/ws";
import { offeredSubprotocols, selectSubprotocol } from "../../core/events/ws-subprotocol.ts";

/** The workerd globals this file needs (declared here: the core's types know no Workers). */
interface WorkerSocket {
  readonly readyState: number;
  accept(): void;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  addEventListener(type: "close", listener: (event: CloseEvent) => void): void;
  addEventListener(type: "error", listener: (event: Event) => void): void;
}
declare const WebSocketPair: { new (): { 0: WorkerSocket; 1: WorkerSocket } };

/**
 * Upgrades `GET` requests with `Upgrade: websocket` on Workers.
 * @example
 * import { upgradeWebSocket } from "botknobs/cloudflare";
 * const app = createApp({ registry, eventBus, upgradeWebSocket });
 * export default { fetch: app.fetch };
 */
export const upgradeWebSocket: UpgradeWebSocket<WorkerSocket> = defineWebSocketHelper<WorkerSocket>(
  (c, events) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    // A client that offered subprotocols (a browser's `botknobs.token.<t>`) needs one named.
    const selected = selectSubprotocol(offeredSubprotocols(c.req.header("sec-websocket-protocol")));
    const pair = new WebSocketPair();
    const client = pair[0];
    const server = pair[1];
    const ws = new WSContext<WorkerSocket>({
      send: (data) => server.send(data),
      close: (code, reason) => server.close(code, reason),
      raw: server,
      get readyState() {
        return server.readyState as WSReadyState;
      },
      url: c.req.url,
      protocol: selected,
    });
    server.addEventListener("message", (event) => events.onMessage?.(event, ws));
    server.addEventListener("close", (event) => events.onClose?.(event, ws));
    server.addEventListener("error", (event) => events.onError?.(event, ws));
    server.accept();
    events.onOpen?.(new Event("open"), ws);
    return new Response(null, {
      status: 101,
      webSocket: client,
      ...(selected === null ? {} : { headers: { "Sec-WebSocket-Protocol": selected } }),
    } as ResponseInit);
  },
);
