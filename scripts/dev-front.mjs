// The front of `npm run dev`: a small HTTP server on the public address that hands each request
// to `wrangler dev` (listening on an internal loopback port) and repairs the one way wrangler dev
// loses requests under bursts.
//
// The cause (issue 22, item 7): workerd's HTTP server closes a keep-alive connection after 5 s
// without a request, announcing it to nobody (no `Keep-Alive: timeout` hint, and a request's
// `Connection: close` does not change it). wrangler's ProxyWorker forwards each request to the
// Worker over a pool of such connections, with the same 5 s on its side; when it takes an idle
// connection at the moment the Worker's side closes it, the request is written into a closing
// socket and never read ("Network connection lost"). The ProxyWorker then re-queues a GET or HEAD
// until its next incoming request, and answers anything else 503 "Your worker restarted
// mid-request" (its restart check compares the request URL with an origin, so every dropped
// connection looks like a restart). The Worker never saw those writes: they were not applied.
//
// So this front (1) resends a request the ProxyWorker answered with that 503 — unless wrangler
// reloaded the Worker meanwhile, the one case where the Worker may have run it — and (2) while a
// request waits for its answer, sends the ProxyWorker a small request each second, which makes it
// retry the GETs and HEADs it queued. Each request goes to wrangler on a connection of its own;
// clients keep their keep-alive with this front, a Node server that announces its idle timeout.
// bench/worker-burst.bench.ts measures it; bench/RESULTS.md has the figures.
import { createServer, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

// Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the request.
const HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
/** What wrangler's ProxyWorker answers when its connection to the Worker dropped. */
const DROPPED = "Your worker restarted mid-request";
/** Request bodies up to this size are kept for a resend; larger ones stream through once. */
const MAX_KEPT_BODY = 8 * 1024 * 1024;
const MAX_ATTEMPTS = 5;

/** Copies raw headers without hop-by-hop ones (a pair list keeps repeated headers apart). */
function endToEnd(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** A JSON error body in the API's shape, for when wrangler itself does not answer. */
function unavailable(res, error) {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  res.writeHead(502, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      error: {
        code: "UPSTREAM_UNAVAILABLE",
        message: `wrangler dev did not answer (${error.message}); it may still be starting or restarting`,
      },
    }),
  );
}

/** A small response body as text (workerd compresses it when the client accepts that). */
function textOf(bytes, encoding) {
  try {
    if (encoding === "gzip") return gunzipSync(bytes).toString("utf8");
    if (encoding === "br") return brotliDecompressSync(bytes).toString("utf8");
    return bytes.toString("utf8");
  } catch {
    return "";
  }
}

/** Reads a request body whole when it is declared and small enough to keep; else null. */
async function keptBody(req) {
  if (req.method === "GET" || req.method === "HEAD") return Buffer.alloc(0);
  const length = Number(req.headers["content-length"] ?? Number.NaN);
  if (!(length <= MAX_KEPT_BODY)) return null;
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Starts the front on `host:port`, forwarding to wrangler dev on 127.0.0.1:`upstreamPort`.
 * `reloads()` counts wrangler's reloads of the Worker so far. Resolves with the server.
 * @example
 * const server = await startFront({ host: "127.0.0.1", port: 8787, upstreamPort: 40123, reloads: () => 0 });
 */
export function startFront({ host, port, upstreamPort, reloads }) {
  const waiting = new Set();
  const toWrangler = (method, path, headers, onAnswer) =>
    httpRequest(
      // No agent: a fresh connection per request, closed after its response.
      { host: "127.0.0.1", port: upstreamPort, method, path, headers, agent: false },
      onAnswer,
    );

  // The ProxyWorker retries the GETs and HEADs it queued on its next incoming request.
  let lastNudge = 0;
  const nudger = setInterval(() => {
    const now = Date.now();
    if (now - lastNudge < 1000 || ![...waiting].some((since) => now - since.at > 1000)) return;
    lastNudge = now;
    const nudge = toWrangler("HEAD", "/openapi.json", {}, (answer) => answer.resume());
    nudge.on("error", () => {});
    nudge.end();
  }, 250);
  nudger.unref();

  const server = createServer(async (req, res) => {
    const headers = endToEnd(req.rawHeaders);
    const body = await keptBody(req);
    const started = { at: Date.now() };
    const seenReloads = reloads();
    const send = (attempt) => {
      waiting.add(started);
      const upstream = toWrangler(req.method, req.url, headers, async (answer) => {
        waiting.delete(started);
        if (answer.statusCode === 503 && body !== null && attempt < MAX_ATTEMPTS) {
          const chunks = [];
          for await (const chunk of answer) chunks.push(chunk);
          const text = Buffer.concat(chunks);
          if (
            textOf(text, answer.headers["content-encoding"]).startsWith(DROPPED) &&
            reloads() === seenReloads
          ) {
            console.warn(
              `[botknobs] resent ${req.method} ${req.url}: wrangler's connection to the Worker dropped before the Worker read it (attempt ${attempt + 1})`,
            );
            send(attempt + 1);
            return;
          }
          res.writeHead(503, answer.statusMessage, endToEnd(answer.rawHeaders));
          res.end(text);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
        // Server-Sent Events and large downloads pass through as they come.
        res.flushHeaders();
        answer.pipe(res);
        answer.on("error", (error) => res.destroy(error));
      });
      upstream.on("error", (error) => {
        waiting.delete(started);
        unavailable(res, error);
      });
      // A client that goes away ends its request upstream (an SSE stream, an upload).
      res.on("close", () => {
        waiting.delete(started);
        if (!res.writableFinished) upstream.destroy();
      });
      if (body === null) req.pipe(upstream);
      else upstream.end(body);
    };
    send(1);
  });
  // WebSocket upgrades (`/events`, wrangler's live reload) are relayed as raw bytes.
  server.on("upgrade", (req, socket, head) => {
    const upstream = connect(upstreamPort, "127.0.0.1", () => {
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${text}\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on("error", close);
    socket.on("error", close);
    upstream.on("close", close);
    socket.on("close", close);
  });
  // Idle clients are dropped after 5 s, announced in a `Keep-Alive: timeout=5` header, so a
  // client stops using an idle connection before this server closes it.
  server.keepAliveTimeout = 5_000;
  server.on("close", () => clearInterval(nudger));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, backlog: 4096 }, () => resolve(server));
  });
}
