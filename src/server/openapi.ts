/**
 * `GET /openapi.json`: an OpenAPI 3.1 document generated from the zod schemas the routes
 * validate with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 * @module
 */
import * as z from "zod/mini";
import { botIdSchema } from "../core/validate.ts";
import {
  auditListSchema,
  botLabelsSchema,
  jsonPatchSchema,
  putLabelSchema,
  reasonOnlySchema,
} from "./label-schemas.ts";
import { auditPaths, labelPaths } from "./openapi-label-paths.ts";
import {
  content,
  errors,
  type Json,
  jsonSchema,
  knowledgePaths,
  queryParams,
  registryPaths,
} from "./openapi-paths.ts";
import { botSearchPaths, revisionPaths } from "./openapi-revision-paths.ts";
import { botSearchResponseSchema, revisionListSchema } from "./revision-schemas.ts";
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
  409: "Already exists; a label names a version that does not exist, is no longer kept or is not active; or a config's knowledge_pin names a knowledge base or revision that is not there (a bot searched through pins none)",
  410: "The knowledge revision asked for (or pinned) is no longer kept by the index history",
  412: "If-Match did not match",
  413: "Body too large",
  416: "Range not satisfiable",
  428: "A protected label moves only with If-Match (or a token allowed to move it)",
  501: "Not configured on this server",
};

/** `/` and `/console/{name}`: the web console's files, served without a token (no data). */
function consolePaths(): Json {
  const file = (summary: string, types: string[], notFound: boolean): Json => ({
    summary,
    security: [],
    responses: {
      200: {
        description: "The file, with the console's Content-Security-Policy (gzipped when accepted)",
        content: Object.fromEntries(types.map((t) => [t, { schema: { type: "string" } }])),
      },
      ...(notFound ? errors(404) : {}),
    },
  });
  return {
    "/": {
      get: file(
        "The web console: a page holding no data, which asks for a token when the API answers 401",
        ["text/html"],
        false,
      ),
    },
    "/console/{name}": {
      get: {
        ...file(
          "The console's script or style sheet (named with a hash of its content: cached for good)",
          ["text/javascript", "text/css"],
          true,
        ),
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of an app (with bearer security when `auth` is on; the console's
 * paths unless `console` is false).
 * @example
 * const doc = openApiDocument({ auth: true });
 * Object.keys(doc.paths); // ["/bots", "/bots/{bot_id}", …]
 */
export function openApiDocument(options: {
  auth: boolean;
  console?: boolean;
}): Json & { paths: Json } {
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
      ...labelPaths("/bots"),
      ...botSearchPaths("/bots"),
      ...registryPaths("/configs"),
      ...labelPaths("/configs"),
      ...botSearchPaths("/configs"),
      ...auditPaths(),
      ...knowledgePaths(),
      ...(options.console === false ? {} : consolePaths()),
      ...revisionPaths(),
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
        BotLabels: jsonSchema(botLabelsSchema, "output"),
        PutLabel: jsonSchema(putLabelSchema, "input"),
        ReasonOnly: jsonSchema(reasonOnlySchema, "input"),
        JsonPatch: jsonSchema(jsonPatchSchema, "output"),
        AuditList: jsonSchema(auditListSchema, "output"),
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
        BotSearchResponse: jsonSchema(botSearchResponseSchema, "output"),
        RevisionList: jsonSchema(revisionListSchema, "output"),
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
