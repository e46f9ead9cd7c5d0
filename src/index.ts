/**
 * botknobs: runtime management of AI-bot configurations and their knowledge.
 *
 * This entry is runtime-agnostic (Web standards only) and runs unchanged on Cloudflare Workers,
 * Node, Deno, Bun and in browsers. Platform storage comes from one entry per backend:
 * `botknobs/fs` (files, on Node, Deno and Bun), `botknobs/d1`, `botknobs/kv`, `botknobs/r2`,
 * `botknobs/durable-object`, `botknobs/vectorize`, `botknobs/workers-ai`; `botknobs/node` (serving
 * on Node, plus `fs`) and `botknobs/cloudflare` (all the Workers adapters and the Workers
 * WebSocket upgrade) gather them per platform.
 * @module
 */
export * from "./config.ts";
export {
  AdapterError,
  BotknobsError,
  type BotknobsErrorOptions,
  ClosedError,
  ConflictError,
  ErrorCode,
  HttpError,
  LeaseHeldError,
  NotFoundError,
  ReadOnlyError,
  RevisionGoneError,
  StaleIndexError,
  UnsupportedError,
  ValidationError,
  type ValidationIssue,
} from "./core/errors.ts";
export {
  ID_PATTERN,
  type JsonObject,
  type JsonValue,
  STATUSES,
  type Status,
  validateBotId,
} from "./core/validate.ts";
export * from "./events.ts";
export * from "./knowledge.ts";
export * from "./registry.ts";
