// The HTTP API on Bun.serve.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { upgradeWebSocket, websocket } from "hono/bun";
import { runServedSuites } from "../conformance/http-served.ts";

runServedSuites(
  { describe, it, expect: expect as never, beforeEach, afterEach },
  "bun",
  async (fetch) => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch, websocket });
    return { url: `http://127.0.0.1:${server.port}`, close: async () => void server.stop(true) };
  },
  // Bun's own WebSocket client (it sends the auth header as `{ headers }`).
  { upgradeWebSocket },
);
