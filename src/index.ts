/**
 * botknobs: runtime management of AI-bot configurations and their knowledge.
 *
 * This entry is runtime-agnostic (Web standards only) and runs unchanged on Cloudflare Workers,
 * Node, Deno, Bun and in browsers. Platform storage comes from the adapter entries:
 * `botknobs/node` today (`botknobs/cloudflare` holds the Workers WebSocket upgrade so far).
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
  NotFoundError,
  ReadOnlyError,
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
