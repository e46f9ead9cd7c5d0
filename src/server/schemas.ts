/**
 * The zod schemas of the HTTP API: the routes validate requests with them, and `/openapi.json`
 * is generated from the very same objects (responses are described by the output schemas).
 * @module
 */
import * as z from "zod/mini";
import { EVENT_ID_PATTERN, EventType } from "../core/events/event.ts";
import { IngestionStatus } from "../core/knowledge/store/models.ts";
import {
  botIdSchema,
  type JsonObject,
  STATUSES,
  type Status,
  statusSchema,
  UNSAFE_TEXT,
  UNSAFE_TEXT_RULE,
} from "../core/validate.ts";

const jsonObject = z
  .record(z.string(), z.unknown())
  .check(z.describe("A JSON object")) as unknown as z.ZodMiniType<JsonObject>;
const describe = <T>(schema: z.ZodMiniType<T>, text: string): z.ZodMiniType<T> =>
  schema.check(z.describe(text)) as z.ZodMiniType<T>;

/**
 * The optional `reason` of a write (at most 1,024 characters): kept with the version it writes,
 * beside the actor (the token's name), in the audit trail.
 */
export const reasonSchema: z.ZodMiniType<string> = describe(
  z.string().check(z.maxLength(1024)),
  "Why (kept with the version, in the audit trail; the actor is the token's name)",
);

/** Body of `POST /bots`. */
export interface CreateBotInput {
  bot_id: string;
  config: JsonObject;
  status?: Status | undefined;
  metadata?: JsonObject | undefined;
  reason?: string | undefined;
}
/**
 * Validates the body of `POST /bots`.
 * @example
 * parseWith(createBotSchema, { bot_id: "support-bot", config: { llm: {} } }, "body");
 */
export const createBotSchema: z.ZodMiniType<CreateBotInput> = z.strictObject({
  bot_id: botIdSchema,
  config: jsonObject,
  status: z.optional(statusSchema),
  metadata: z.optional(jsonObject),
  reason: z.optional(reasonSchema),
});

/** Body of `PUT /bots/{bot_id}`. */
export interface PutBotInput {
  bot_id?: string | undefined;
  config: JsonObject;
  status?: Status | undefined;
  metadata?: JsonObject | undefined;
  reason?: string | undefined;
}
/**
 * Validates the body of `PUT /bots/{bot_id}` (`bot_id`, when given, must equal the path's).
 * @example
 * parseWith(putBotSchema, { config: { llm: {} }, status: "active" }, "body");
 */
export const putBotSchema: z.ZodMiniType<PutBotInput> = z.strictObject({
  bot_id: z.optional(botIdSchema),
  config: jsonObject,
  status: z.optional(
    describe(statusSchema, "Omitted: the current status is kept (active when the bot is new)"),
  ),
  metadata: z.optional(describe(jsonObject, "Omitted: the current metadata is kept")),
  reason: z.optional(reasonSchema),
});

/** A page's `cursor` in a query (opaque, 1–1,024 characters). */
export const cursor: z.ZodMiniType<string> = describe(
  z.string().check(z.minLength(1), z.maxLength(1024)),
  "The cursor of the previous page (opaque)",
);
/** A page's `limit` in a query: an integer 1–1,000. */
export const limit: z.ZodMiniType<number, string> = z.pipe(
  z.string().check(z.regex(/^\d{1,4}$/, "expected an integer 1–1000")),
  z.pipe(z.transform(Number), z.int().check(z.minimum(1), z.maximum(1000))),
);

/** A page's position and size in a query. */
export interface PageQuery {
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Query of `GET /bots`: a status filter and a page (`limit` default 1,000, at most 1,000).
 * @example
 * parseWith(listBotsQuery, { status: "active", limit: "50" }, "query"); // { status, limit: 50 }
 */
export const listBotsQuery: z.ZodMiniType<PageQuery & { status?: Status | undefined }> = z.object({
  status: z.optional(statusSchema),
  cursor: z.optional(cursor),
  limit: z.optional(describe(limit, "Page size, 1–1000 (default 1000)")),
});

/**
 * Query of `GET /bots/{bot_id}/versions`: a page of versions, newest first.
 * @example
 * parseWith(versionsQuery, { limit: "10" }, "query"); // { limit: 10 }
 */
export const versionsQuery: z.ZodMiniType<PageQuery> = z.object({
  cursor: z.optional(cursor),
  limit: z.optional(describe(limit, "Page size, 1–1000 (default 1000)")),
});

/** Body of `POST /bots/{bot_id}/rollback`. */
export interface RollbackInput {
  version: number;
  reason?: string | undefined;
}
/**
 * Validates the body of `POST /bots/{bot_id}/rollback`.
 * @example
 * parseWith(rollbackSchema, { version: 3 }, "body");
 */
export const rollbackSchema: z.ZodMiniType<RollbackInput> = z.strictObject({
  version: describe(
    z.int().check(z.minimum(1)),
    "The version whose config, status and metadata become a new version",
  ),
  reason: z.optional(reasonSchema),
});

const flag = z.enum(["1", "true", "0", "false"]);
/**
 * Query of `GET /bots/{bot_id}`: `peek=1` reads without recording the access.
 * @example
 * parseWith(getBotQuery, { peek: "1" }, "query");
 */
export const getBotQuery: z.ZodMiniType<{
  peek?: "1" | "true" | "0" | "false" | undefined;
  label?: string | undefined;
  key?: string | undefined;
}> = z.object({
  peek: z.optional(describe(flag, "1 or true: do not record the access")),
  label: z.optional(
    describe(
      botIdSchema,
      "Answer the version this label serves (Botknobs-Version and Botknobs-Label headers say which)",
    ),
  ),
  key: z.optional(
    describe(
      z.string().check(z.minLength(1), z.maxLength(1024)),
      "The caller's key a split label resolves by (one key, one version)",
    ),
  ),
});

const isoDate = describe(z.string(), "ISO-8601 UTC timestamp");

const EVENT_ID_RULE = "must be 1–128 characters of [A-Za-z0-9._:@-]";
const eventId = describe(
  z.string().check(z.regex(EVENT_ID_PATTERN, EVENT_ID_RULE)),
  "1–128 characters of [A-Za-z0-9._:@-] (default: a random UUID)",
);
/** A name: no control, bidirectional-control or line-separator character. */
const safeText = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.refine((v) => !UNSAFE_TEXT.test(v), UNSAFE_TEXT_RULE),
  );

/**
 * The wire form of a registration (a response).
 * @example
 * z.toJSONSchema(registrationSchema, { io: "output" });
 */
export const registrationSchema: z.ZodMiniType = z.object({
  bot_id: botIdSchema,
  config: jsonObject,
  status: z.enum(STATUSES),
  version: z.int(),
  etag: describe(z.string(), "SHA-256 of the canonical JSON of config and status"),
  created_at: isoDate,
  updated_at: isoDate,
  last_accessed_at: isoDate,
  metadata: jsonObject,
  ext: z.optional(
    describe(
      z.object({
        labels: z.optional(z.record(z.string(), z.int())),
        splits: z.optional(
          z.record(z.string(), z.array(z.object({ version: z.int(), percent: z.int() }))),
        ),
        write_context: z.optional(z.object({ actor: z.string(), reason: z.optional(z.string()) })),
      }),
      "The bot's labels (name → version; a split's shares in splits) and who wrote this version and why",
    ),
  ),
});

/**
 * `GET /bots` response.
 * @example
 * z.toJSONSchema(registrationListSchema, { io: "output" });
 */
export const registrationListSchema: z.ZodMiniType = z.object({
  items: z.array(registrationSchema),
  revision: describe(z.string(), "Changes whenever any registration changes (also the ETag)"),
  cursor: z.optional(describe(z.string(), "Present when more follow: pass it for the next page")),
});

/**
 * `GET /bots/{bot_id}/versions` response.
 * @example
 * z.toJSONSchema(versionListSchema, { io: "output" });
 */
export const versionListSchema: z.ZodMiniType = z.object({
  items: z.array(registrationSchema),
  cursor: z.optional(describe(z.string(), "Present when older versions follow")),
});

/**
 * Every error response.
 * @example
 * errorSchema.parse({ error: { code: "NOT_FOUND", message: "Bot 'x' not found" } });
 */
export const errorSchema: z.ZodMiniType = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.optional(
      z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
    ),
  }),
});

/** Body of `POST /kb`. */
export interface CreateKbInput {
  domain_id: string;
  metadata?: JsonObject | undefined;
}
/**
 * Validates the body of `POST /kb`.
 * @example
 * parseWith(createKbSchema, { domain_id: "support", metadata: { team: "cx" } }, "body");
 */
export const createKbSchema: z.ZodMiniType<CreateKbInput> = z.strictObject({
  domain_id: botIdSchema,
  metadata: z.optional(jsonObject),
});

/**
 * A knowledge base (a response).
 * @example
 * z.toJSONSchema(kbInfoSchema, { io: "output" });
 */
export const kbInfoSchema: z.ZodMiniType = z.object({
  domain_id: botIdSchema,
  file_count: z.int(),
  total_size_bytes: z.int(),
  last_updated: isoDate,
  version: z.string(),
  ingestion_status: z.enum(Object.values(IngestionStatus) as [string, ...string[]]),
  ingestion_error: z.nullable(z.string()),
  vector_store_path: z.nullable(z.string()),
  generation: z.string(),
  metadata: jsonObject,
});

/**
 * A knowledge file (a response).
 * @example
 * z.toJSONSchema(kbFileSchema, { io: "output" });
 */
export const kbFileSchema: z.ZodMiniType = z.object({
  path: z.string(),
  content_type: z.string(),
  size_bytes: z.int(),
  checksum: describe(z.string(), "SHA-256 hex of the bytes (also the download ETag)"),
  uploaded_at: isoDate,
  metadata: jsonObject,
});

/**
 * Query of `GET /kb/{domain}/files`.
 * @example
 * parseWith(listFilesQuery, { prefix: "guides/" }, "query");
 */
export const listFilesQuery: z.ZodMiniType<{ prefix?: string | undefined }> = z.object({
  prefix: z.optional(z.string()),
});

/** Body of `POST /kb/{domain}/ingest` (optional). */
export interface IngestInput {
  clear_existing?: boolean | undefined;
  force?: boolean | undefined;
}
/**
 * Validates the body of `POST /kb/{domain}/ingest`.
 * @example
 * parseWith(ingestSchema, { clear_existing: true }, "body");
 */
export const ingestSchema: z.ZodMiniType<IngestInput> = z.strictObject({
  clear_existing: z.optional(z.boolean()),
  force: z.optional(z.boolean()),
});

/**
 * An ingestion job (a response).
 * @example
 * z.toJSONSchema(ingestJobSchema, { io: "output" });
 */
export const ingestJobSchema: z.ZodMiniType = z.object({
  job_id: z.string(),
  domain_id: botIdSchema,
  status: z.enum(["running", "completed", "failed"]),
  created_at: isoDate,
  completed_at: z.nullable(isoDate),
  progress: z.object({ done: z.int(), total: z.int(), chunks: z.optional(z.int()) }),
  result: z.nullable(describe(z.record(z.string(), z.unknown()), "IngestionResult")),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
});

/**
 * Query of `GET /kb/{domain}/search`.
 * @example
 * parseWith(searchQuery, { q: "reset password", k: "3" }, "query"); // { q, k: 3 }
 */
export const searchQuery: z.ZodMiniType<{ q: string; k?: number | undefined }> = z.object({
  q: z.string().check(z.minLength(1), z.maxLength(4096)),
  k: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, "expected an integer 1–100")),
      z.pipe(z.transform(Number), z.int().check(z.minimum(1), z.maximum(100))),
    ),
  ),
});

/**
 * One result of a search route, best first.
 * @example
 * z.array(searchResultSchema);
 */
export const searchResultSchema: z.ZodMiniType = z.object({
  text: z.string(),
  content: z.string(),
  source: z.string(),
  heading_path: z.string(),
  similarity: z.number(),
  metadata: jsonObject,
});

/**
 * `GET /kb/{domain}/search` response.
 * @example
 * z.toJSONSchema(searchResponseSchema, { io: "output" });
 */
export const searchResponseSchema: z.ZodMiniType = z.object({
  query: z.string(),
  k: z.int(),
  results: z.array(searchResultSchema),
});

/**
 * Query of `GET /events`.
 * @example
 * parseWith(eventsQuery, { topics: "registry:*,knowledge:*" }, "query");
 */
export const eventsQuery: z.ZodMiniType<{
  topics?: string | undefined;
  last_event_id?: string | undefined;
}> = z.object({
  topics: z.optional(describe(z.string(), "Comma-separated topic globs (default *)")),
  last_event_id: z.optional(
    describe(
      z.string().check(z.regex(EVENT_ID_PATTERN, EVENT_ID_RULE)),
      "Resume after this event (as the Last-Event-ID header does)",
    ),
  ),
});

/** Body of `POST /events` (the event's wire form; it is published on its `topic`). */
export interface PublishEventInput {
  type: EventType;
  topic: string;
  payload?: Record<string, unknown> | undefined;
  timestamp?: string | undefined;
  event_id?: string | undefined;
  source?: string | null | undefined;
  correlation_id?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}
/**
 * Validates the body of `POST /events`; also the `data` of each SSE message.
 * @example
 * parseWith(eventSchema, { type: "updated", topic: "registry:bots", payload: { bot_id: "x" } }, "body");
 */
export const eventSchema: z.ZodMiniType<PublishEventInput> = z.object({
  type: z.enum(Object.values(EventType) as [EventType, ...EventType[]]),
  topic: safeText(512).check(z.minLength(1)),
  payload: z.optional(z.record(z.string(), z.unknown())),
  timestamp: z.optional(
    z
      .string()
      .check(z.refine((v) => !Number.isNaN(Date.parse(v)), "expected an ISO-8601 timestamp")),
  ),
  event_id: z.optional(eventId),
  source: z.optional(z.nullable(safeText(256))),
  correlation_id: z.optional(z.nullable(safeText(256))),
  metadata: z.optional(z.record(z.string(), z.unknown())),
});
