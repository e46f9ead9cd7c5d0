/**
 * `botknobs/node`: serving the API on Node (`serveApp`, with WebSocket upgrades through `ws`, and
 * `withRawRequest` for calling `@hono/node-server` yourself), plus, for convenience, everything of
 * `botknobs/fs` (the file stores run on Node, Deno and Bun alike; import them from there when
 * you do not serve).
 * @module
 */
export * from "../fs/index.ts";
export { type NodeFetch, withRawRequest } from "./node-raw-request.ts";
export {
  SERVE_TIMEOUTS,
  type Served,
  type ServeOptions,
  serveApp,
  upgradeWebSocket,
} from "./node-serve.ts";
