/**
 * `botknobs/server`: the HTTP API as one Hono app — the registry contract at `/bots` (alias
 * `/configs`; labels, splits and diffs included), the audit trail at `/audit`, knowledge bases, files, ingestion jobs and search at `/kb`, the event stream at
 * `/events` (Server-Sent Events, or a WebSocket given the runtime's `upgradeWebSocket`), and the
 * OpenAPI 3.1 document at `/openapi.json`. Runs on every runtime.
 * @example
 * import { createApp } from "botknobs/server";
 * const app = createApp({ registry: new InMemoryBackend() });
 * export default { fetch: app.fetch }; // Workers; on Node: serveApp(app) from botknobs/node
 * @module
 */

export {
  EVENTS_SUBPROTOCOL,
  offeredSubprotocols,
  selectSubprotocol,
  subprotocolToken,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "../core/events/ws-subprotocol.ts";
export {
  type AppOptions,
  createApp,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_JSON_BYTES,
  EVENT_LIMITS,
} from "./app.ts";
export {
  type Access,
  type AuthOptions,
  bearerAuth,
  type NamedToken,
  type Principal,
  principalChecker,
  principalOf,
  tokenChecker,
} from "./auth.ts";
export { RAW_REQUEST, type RawRequest } from "./context.ts";
export {
  ApiError,
  type ApiErrorBody,
  ApiErrorCode,
  errorResponse,
  mapError,
} from "./errors.ts";
export { readEvent, readSubscription, type Subscription } from "./event-routes.ts";
export { type IngestJob, JobStatus } from "./jobs.ts";
export { type IngestRequest, readIngestOptions } from "./knowledge-routes.ts";
export { openApiDocument } from "./openapi.ts";
export { parseEtags, parseIfMatch, quoteEtag } from "./preconditions.ts";
export { parseRange } from "./range.ts";
export { ANONYMOUS_ACTOR, SERVED_LABEL_HEADER, SERVED_VERSION_HEADER } from "./registry-http.ts";
export {
  type AppStores,
  createAppOver,
  createInMemoryApp,
  type ServedApp,
  type ServedAppOptions,
} from "./services.ts";
