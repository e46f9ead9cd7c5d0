// The HTTP API on Deno.serve.
import { expect } from "expect";
import { upgradeWebSocket } from "hono/deno";
import { runServedSuites } from "../conformance/http-served.ts";
import { harness } from "./harness.ts";

runServedSuites(
  harness(expect as never),
  "deno",
  async (fetch) => {
    const ready = Promise.withResolvers<number>();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => ready.resolve(port) },
      fetch,
    );
    const port = await ready.promise;
    return { url: `http://127.0.0.1:${port}`, close: () => server.shutdown() };
  },
  // Deno's own WebSocket client (it sends the auth header as `{ headers }`).
  { upgradeWebSocket },
);
