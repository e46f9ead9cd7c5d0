/**
 * botknobs on Cloudflare Workers: the WebSocket upgrade for the event stream. The KV, D1, R2,
 * Durable Object and Vectorize adapters join this entry as they land.
 * @module
 */

export * from "../vectorize/index.ts";
export * from "../workers-ai/index.ts";
export { upgradeWebSocket } from "./websocket.ts";
