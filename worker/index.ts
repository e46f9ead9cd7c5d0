/**
 * The botknobs Worker: the HTTP API (`botknobs/server`) over in-isolate memory backends. The
 * Cloudflare adapters (KV/D1 registry, R2 knowledge, Durable Object events) replace these
 * defaults as they land; until then state lives as long as the isolate.
 */
import { createInMemoryApp } from "../src/server/index.ts";

const { app } = createInMemoryApp();

const worker: {
  fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
} = {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx as never),
};

export default worker;
