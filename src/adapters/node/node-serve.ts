/**
 * `serveApp`: serves a fetch handler (the `botknobs/server` app) on Node with
 * `@hono/node-server`, WebSocket upgrades included (`ws`), with timeouts suited to an API (a
 * client that trickles its headers or body is cut off, not kept for Node's 300 s); `close()` also
 * drops keep-alive connections and sockets so the server really stops.
 * @module
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type WebSocketServerLike } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { ValidationError } from "../../core/errors.ts";
import { selectSubprotocol } from "../../core/events/ws-subprotocol.ts";
import { withRawRequest } from "./node-raw-request.ts";
import { SERVE_TIMEOUTS } from "./node-timeouts.ts";

export { SERVE_TIMEOUTS } from "./node-timeouts.ts";

/** Options of {@link serveApp}. */
export interface ServeOptions {
  /** Default `127.0.0.1`. */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Time to receive a request's headers, in ms (default 10 000); then 408 and the connection closes. */
  headersTimeoutMs?: number;
  /**
   * Time to receive a whole request, headers and body, in ms (default 60 000; at least
   * `headersTimeoutMs`): a body trickled in slower is cut off with 408. Raise it for large uploads
   * over slow links. Responses (event streams included) are not limited by it.
   */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests, in ms (default 5 000). */
  keepAliveTimeoutMs?: number;
  /**
   * A connection with no traffic either way for this long is closed, in ms (default 120 000; 0:
   * never). Keep it above the event stream's heartbeat (15 s by default). WebSockets are exempt.
   */
  idleTimeoutMs?: number;
}

function timeouts(options: ServeOptions): Required<Omit<ServeOptions, "hostname" | "port">> {
  const t = {
    headersTimeoutMs: options.headersTimeoutMs ?? SERVE_TIMEOUTS.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? SERVE_TIMEOUTS.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? SERVE_TIMEOUTS.keepAliveTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? SERVE_TIMEOUTS.idleTimeoutMs,
  };
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value < 0 || (value === 0 && name !== "idleTimeoutMs"))
      throw new ValidationError(`Invalid ${name} ${value}: expected a positive integer (ms)`, [
        { path: [name], message: "expected a positive integer (ms)" },
      ]);
  }
  if (t.requestTimeoutMs < t.headersTimeoutMs)
    throw new ValidationError(
      `Invalid requestTimeoutMs ${t.requestTimeoutMs}: it must be at least headersTimeoutMs (${t.headersTimeoutMs})`,
      [{ path: ["requestTimeoutMs"], message: "must be at least headersTimeoutMs" }],
    );
  return t;
}

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
 * Serves `app` on `hostname` (default `127.0.0.1`) and `port` (default 0: any free port), with
 * the timeouts of {@link ServeOptions} (defaults: {@link SERVE_TIMEOUTS}).
 * @example
 * const served = await serveApp(createApp({ registry }), { port: 8787, requestTimeoutMs: 300_000 });
 * console.log(served.url);
 */
export function serveApp(
  app: { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> },
  options: ServeOptions = {},
): Promise<Served> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const t = timeouts(options); // a throw here rejects the promise
    // The answer names `botknobs.events` when offered, never echoing a `botknobs.token.<t>`
    // subprotocol (a browser's way to authenticate a WebSocket) unless it is all there is.
    const wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => selectSubprotocol(offered) ?? false,
    });
    const server = serve(
      {
        fetch: withRawRequest(app) as (request: Request) => Promise<Response>,
        port: options.port ?? 0,
        hostname,
        serverOptions: {
          headersTimeout: t.headersTimeoutMs,
          requestTimeout: t.requestTimeoutMs,
          // Node checks the two above this often (its default, 30 s, would let them overrun).
          connectionsCheckingInterval: Math.max(
            10,
            Math.min(1000, Math.floor(t.headersTimeoutMs / 4)),
          ),
        },
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
    server.keepAliveTimeout = t.keepAliveTimeoutMs;
    server.timeout = t.idleTimeoutMs;
    server.once("error", reject);
  });
}
