/**
 * {@link serveBuiltin}: the API on Node's own `node:http`, for `botknobs serve` where the
 * optional peers `@hono/node-server` and `ws` are not installed (an app that installed only
 * `botknobs`). Each request becomes a web `Request` (with the raw request for the app's checks),
 * each `Response` is streamed back with back-pressure, and a client that goes away cancels its
 * stream (an event stream unsubscribes). It has `serveApp`'s timeouts; WebSocket upgrades need
 * the peers (`GET /events` answers them with its usual error), Server-Sent Events do not.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { withRawRequest } from "../adapters/node/node-raw-request.ts";
import { SERVE_TIMEOUTS } from "../adapters/node/node-timeouts.ts";

/** A running server: its address, and how to stop it. */
export interface BuiltinServer {
  url: string;
  close(): Promise<void>;
}

type Handler = { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> };

/** The request as a web `Request` (its body streamed, aborted when the client goes). */
function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    headers.append(raw[i] as string, raw[i + 1] as string);
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : Readable.toWeb(req);
  return new Request(new URL(req.url ?? "/", base), {
    method,
    headers,
    signal,
    ...(body ? { body: body as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

/** Writes `response` to `res`, waiting for the socket to drain between chunks. */
async function send(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = (): void => void reader.cancel().catch(() => {});
  res.once("close", gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value))
        await new Promise<void>((resolve) => {
          const on = (): void => {
            res.off("drain", on);
            res.off("close", on);
            resolve();
          };
          res.on("drain", on);
          res.on("close", on);
        });
    }
  } finally {
    res.off("close", gone);
  }
  res.end();
}

/**
 * Serves `app` on `hostname:port` (0: any free port) with `node:http`.
 * @example
 * const server = await serveBuiltin(app, { hostname: "127.0.0.1", port: 8787 });
 */
export function serveBuiltin(
  app: Handler,
  options: { hostname: string; port: number },
): Promise<BuiltinServer> {
  const fetch = withRawRequest(app);
  const t = SERVE_TIMEOUTS;
  const server = createServer({
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    connectionsCheckingInterval: 1000,
  });
  server.timeout = t.idleTimeoutMs;
  const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const base = `http://${host}:${(server.address() as AddressInfo).port}`;
    void (async () => {
      let request: Request;
      try {
        request = toRequest(req, base, controller.signal);
      } catch (error) {
        // A request the web types refuse (a header value they cannot hold, a bad target).
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { code: "VALIDATION", message: (error as Error).message } }),
        );
        return;
      }
      try {
        const response = await fetch(request, { incoming: req });
        await send(res, response, req.method === "HEAD");
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "INTERNAL", message: (error as Error).message } }));
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
