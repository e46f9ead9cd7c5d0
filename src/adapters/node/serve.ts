/**
 * `serveApp`: serves a fetch handler (the `botknobs/server` app) on Node with
 * `@hono/node-server`, WebSocket upgrades included (`ws`); `close()` also drops keep-alive
 * connections and sockets so the server really stops.
 * @module
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type WebSocketServerLike } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { withRawRequest } from "./raw-request.ts";

/**
 * Node's WebSocket upgrade for `createApp({ upgradeWebSocket })` (Hono's helper from
 * `@hono/node-server`); {@link serveApp} serves what it upgrades.
 * @example
 * const app = createApp({ registry, eventBus, upgradeWebSocket });
 * await serveApp(app, { port: 8787 });
 */
export { upgradeWebSocket } from "@hono/node-server";

/** A running server. */
export interface Served {
  /** `http://<hostname>:<port>` */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `app` on `hostname` (default `127.0.0.1`) and `port` (default 0: any free port).
 * @example
 * const served = await serveApp(createApp({ registry }), { port: 8787 });
 * console.log(served.url);
 */
export function serveApp(
  app: { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> },
  options: { hostname?: string; port?: number } = {},
): Promise<Served> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ noServer: true });
    const server = serve(
      {
        fetch: withRawRequest(app) as (request: Request) => Promise<Response>,
        port: options.port ?? 0,
        hostname,
        // `ws` is what @hono/node-server drives; its structural type differs in details only.
        websocket: { server: wss as unknown as WebSocketServerLike },
      },
      (info: AddressInfo) => {
        resolve({
          url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
          port: info.port,
          server,
          close: () =>
            new Promise<void>((done) => {
              for (const socket of wss.clients) socket.terminate();
              server.close(() => done());
              server.closeAllConnections();
            }),
        });
      },
    ) as Server;
    server.once("error", reject);
  });
}
