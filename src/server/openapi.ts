/**
 * `GET /openapi.json`: an OpenAPI 3.1 document generated from the zod schemas the routes
 * validate with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 * @module
 */
import * as z from "zod/mini";
import { botIdSchema } from "../core/validate.ts";
import {
  content,
  errors,
  type Json,
  jsonSchema,
  knowledgePaths,
  queryParams,
  registryPaths,
} from "./openapi-paths.ts";
import {
  createBotSchema,
  createKbSchema,
  errorSchema,
  eventSchema,
  eventsQuery,
  ingestJobSchema,
  ingestSchema,
  kbFileSchema,
  kbInfoSchema,
  putBotSchema,
  registrationListSchema,
  registrationSchema,
  rollbackSchema,
  searchResponseSchema,
  versionListSchema,
} from "./schemas.ts";

const ERRORS: Record<number, string> = {
  400: "Bad input (malformed JSON, bad ids, paths or configs)",
  401: "Missing or unknown bearer token",
  403: "A read-only token on a write route",
  404: "Not found",
  409: "Already exists",
  412: "If-Match did not match",
  413: "Body too large",
  416: "Range not satisfiable",
  501: "Not configured on this server",
};

/**
 * The OpenAPI 3.1 document of an app (with bearer security when `auth` is on).
 * @example
 * const doc = openApiDocument({ auth: true });
 * Object.keys(doc.paths); // ["/bots", "/bots/{bot_id}", …]
 */
export function openApiDocument(options: { auth: boolean }): Json & { paths: Json } {
  const list = (item: string): z.ZodMiniType =>
    z.object({
      items: z.array(
        item === "kb" ? kbInfoSchema : item === "file" ? kbFileSchema : ingestJobSchema,
      ),
    });
  return {
    openapi: "3.1.0",
    info: { title: "botknobs", version: "0.1.0", description: "Bot registry and knowledge API" },
    paths: {
      ...registryPaths("/bots"),
      ...registryPaths("/configs"),
      ...knowledgePaths(),
      "/events": {
        get: {
          summary: "The event stream: every event of the bus (topics: comma-separated globs)",
          description:
            'Server-Sent Events; with `Upgrade: websocket` (where the server has a WebSocket upgrade) the same stream as JSON text frames: {"kind":"ready"|"event"|"ping"|"pong"|"error",…}. Events are published with POST.',
          parameters: queryParams(eventsQuery),
          responses: {
            101: { description: "Switching to a WebSocket" },
            200: {
              description: "text/event-stream",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            ...errors(400, 401, 501),
          },
        },
        post: {
          summary: "Publish an event on its topic",
          requestBody: { required: true, content: content("Event") },
          responses: { 202: { description: "Published" }, ...errors(400, 401, 403, 413, 501) },
        },
      },
    },
    components: {
      schemas: {
        Registration: jsonSchema(registrationSchema, "output"),
        RegistrationList: jsonSchema(registrationListSchema, "output"),
        VersionList: jsonSchema(versionListSchema, "output"),
        Rollback: jsonSchema(rollbackSchema, "input"),
        CreateBot: jsonSchema(createBotSchema, "input"),
        PutBot: jsonSchema(putBotSchema, "input"),
        KnowledgeBase: jsonSchema(kbInfoSchema, "output"),
        KnowledgeBaseList: jsonSchema(list("kb"), "output"),
        CreateKnowledgeBase: jsonSchema(createKbSchema, "input"),
        KnowledgeFile: jsonSchema(kbFileSchema, "output"),
        KnowledgeFileList: jsonSchema(list("file"), "output"),
        IngestRequest: jsonSchema(ingestSchema, "input"),
        IngestJob: jsonSchema(ingestJobSchema, "output"),
        IngestJobList: jsonSchema(list("job"), "output"),
        SearchResponse: jsonSchema(searchResponseSchema, "output"),
        Event: jsonSchema(eventSchema, "input"),
        Error: jsonSchema(errorSchema, "output"),
      },
      parameters: {
        botId: {
          name: "bot_id",
          in: "path",
          required: true,
          schema: jsonSchema(botIdSchema, "input"),
        },
        domainId: {
          name: "domain_id",
          in: "path",
          required: true,
          schema: jsonSchema(botIdSchema, "input"),
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([code, description]) => [
          `E${code}`,
          { description, content: content("Error") },
        ]),
      ),
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
  };
}
