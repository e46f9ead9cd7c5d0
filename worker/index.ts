/**
 * The botknobs Worker: the HTTP API (`botknobs/server`) over in-isolate memory backends. The
 * Cloudflare adapters (KV/D1 registry, R2 knowledge, Durable Object events) replace these
 * defaults as they land; until then state lives as long as the isolate.
 */
import { createInMemoryApp } from "../src/server/index.ts";

// No /events yet: in workerd a stream opened by one request cannot carry events raised by
// another, so it needs the Durable Object event bus. Clients poll (`GET /bots` with
// If-None-Match costs no listing) until then.
const { app } = createInMemoryApp({ eventStream: false });

const worker: {
  fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
} = {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx as never),
};

export default worker;
