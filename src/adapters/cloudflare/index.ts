/**
 * botknobs on Cloudflare Workers: the storage adapters over the bindings you pass in —
 * `D1RecordStore` or `KVRecordStore` for the registry, `R2BlobStore` for knowledge files and the
 * search index — and the WebSocket upgrade for the event stream. The Durable Object event bus
 * joins this entry as it lands.
 * @module
 */
export * from "../d1/index.ts";
export * from "../kv/index.ts";
export * from "../r2/index.ts";
export { upgradeWebSocket } from "./websocket.ts";
