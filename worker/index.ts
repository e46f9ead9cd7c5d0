/**
 * The botknobs Worker entry. For now it reports the library's health from inside workerd; the
 * HTTP API (`botknobs/server`) and the Cloudflare bindings replace this.
 */
import { InMemoryBackend } from "../src/index.ts";

const backend = new InMemoryBackend();

export default {
  async fetch(_request: Request): Promise<Response> {
    return Response.json({ name: "botknobs", status: "ok", bots: await backend.count() });
  },
};
