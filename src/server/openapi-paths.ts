/**
 * The `paths` of the OpenAPI document: the registry (served twice, at `/bots` and `/configs`)
 * and the knowledge API, with parameters and bodies taken from the zod schemas.
 * @module
 */
import * as z from "zod/mini";
import { revisionQuery } from "./revision-schemas.ts";
import {
  getBotQuery,
  listBotsQuery,
  listFilesQuery,
  searchQuery,
  versionsQuery,
} from "./schemas.ts";

/** A JSON object of the document. */
export type Json = Record<string, unknown>;

/**
 * The JSON Schema (2020-12, what OpenAPI 3.1 uses) of a zod schema, without `$schema`.
 * @example
 * jsonSchema(createBotSchema, "input"); // { type: "object", properties: { bot_id: … }, … }
 */
export function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/**
 * A JSON request or response body of the named component schema.
 * @example
 * content("Error"); // { "application/json": { schema: { $ref: "#/components/schemas/Error" } } }
 */
export const content = (name: string): Json => ({ "application/json": { schema: ref(name) } });
/**
 * A 200-style response with a JSON body of the named component schema.
 * @example
 * ok("The registration", "Registration");
 */
export const ok = (description: string, name: string, headers?: Json): Json => ({
  description,
  content: content(name),
  ...(headers ? { headers } : {}),
});
/**
 * References to the error responses of these status codes.
 * @example
 * errors(400, 404); // { 400: { $ref: "#/components/responses/E400" }, 404: … }
 */
export const errors = (...codes: number[]): Json =>
  Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/responses/E${code}` }]));
/** The `ETag` response header. */
export const ETAG: Json = { ETag: { schema: { type: "string" } } };

/**
 * Query parameters from a zod object schema.
 * @example
 * queryParams(searchQuery); // [{ name: "q", in: "query", required: true, … }, …]
 */
export function queryParams(schema: z.ZodMiniType): Json[] {
  const s = jsonSchema(schema, "input") as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    in: "query",
    required: s.required?.includes(name) ?? false,
    schema: p,
  }));
}

/**
 * An optional request header parameter.
 * @example
 * header("If-Match", "the current version or ETag");
 */
export const header = (name: string, description: string): Json => ({
  name,
  in: "header",
  required: false,
  description,
  schema: { type: "string" },
});

/**
 * The registry routes under `base` (`/bots`, `/configs`).
 * @example
 * const paths = { ...registryPaths("/bots"), ...registryPaths("/configs") };
 */
export function registryPaths(base: string): Json {
  const id = { $ref: "#/components/parameters/botId" };
  return {
    [base]: {
      get: {
        summary: "List registrations, a page at a time (sorted by id; follow `cursor`)",
        parameters: [...queryParams(listBotsQuery), header("If-None-Match", "304 when unchanged")],
        responses: {
          200: ok("A page of the list", "RegistrationList", ETAG),
          304: { description: "Unchanged" },
          ...errors(400, 401),
        },
      },
      post: {
        summary: "Register a new bot",
        requestBody: { required: true, content: content("CreateBot") },
        responses: { 201: ok("Created", "Registration", ETAG), ...errors(400, 401, 403, 409, 413) },
      },
    },
    [`${base}/{bot_id}`]: {
      parameters: [id],
      get: {
        summary:
          "Read a registration (peek=1: without recording the access; label=: the version a label serves, for key= when it splits)",
        parameters: [
          ...queryParams(getBotQuery),
          header("If-None-Match", "304 when the ETag matches"),
        ],
        responses: {
          200: ok("The registration", "Registration", {
            ...ETAG,
            "Botknobs-Version": {
              description: "With label=: the version served",
              schema: { type: "integer" },
            },
            "Botknobs-Label": { description: "With label=: the label", schema: { type: "string" } },
          }),
          304: { description: "Unchanged" },
          ...errors(400, 401, 404),
        },
      },
      put: {
        summary: "Create or replace (upsert); with If-Match, update only if it matches",
        parameters: [header("If-Match", "*, a version or an ETag: 412 when it does not match")],
        requestBody: { required: true, content: content("PutBot") },
        responses: {
          200: ok("The registration", "Registration", ETAG),
          ...errors(400, 401, 403, 412, 413),
        },
      },
      delete: {
        summary: "Delete (hard; the history goes too, the deleted event names the actor)",
        requestBody: { required: false, content: content("ReasonOnly") },
        responses: { 204: { description: "Deleted" }, ...errors(400, 401, 403, 404) },
      },
    },
    [`${base}/{bot_id}/deactivate`]: {
      parameters: [id],
      post: {
        summary: "Deactivate (soft delete)",
        requestBody: { required: false, content: content("ReasonOnly") },
        responses: { 200: ok("The registration", "Registration"), ...errors(400, 401, 403, 404) },
      },
    },
    [`${base}/{bot_id}/versions`]: {
      parameters: [id],
      get: {
        summary: "The bot's versions, newest first (a page; follow `cursor`)",
        parameters: queryParams(versionsQuery),
        responses: { 200: ok("A page of versions", "VersionList"), ...errors(400, 401, 404) },
      },
    },
    [`${base}/{bot_id}/versions/{version}`]: {
      parameters: [
        id,
        { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1 } },
      ],
      get: {
        summary: "One kept version",
        parameters: [header("If-None-Match", "304 when the ETag matches")],
        responses: {
          200: ok("The version", "Registration", ETAG),
          304: { description: "Unchanged" },
          ...errors(400, 401, 404),
        },
      },
    },
    [`${base}/{bot_id}/rollback`]: {
      parameters: [id],
      post: {
        summary: "Roll back: a new version with the config, status and metadata of an older one",
        parameters: [
          header("If-Match", "*, the current version or ETag: 412 when it does not match"),
        ],
        requestBody: { required: true, content: content("Rollback") },
        responses: {
          200: ok("The new version", "Registration", ETAG),
          ...errors(400, 401, 403, 404, 412, 413),
        },
      },
    },
  };
}

/**
 * The knowledge routes under `/kb`.
 * @example
 * const paths = knowledgePaths();
 */
export function knowledgePaths(): Json {
  const domain = { $ref: "#/components/parameters/domainId" };
  const path = {
    name: "path",
    in: "path",
    required: true,
    schema: { type: "string" },
    description: "The file path; / separators kept",
  };
  return {
    "/kb": {
      get: {
        summary: "List knowledge bases",
        responses: { 200: ok("Knowledge bases", "KnowledgeBaseList"), ...errors(401) },
      },
      post: {
        summary: "Create a knowledge base",
        requestBody: { required: true, content: content("CreateKnowledgeBase") },
        responses: { 201: ok("Created", "KnowledgeBase"), ...errors(400, 401, 403, 409) },
      },
    },
    "/kb/{domain_id}": {
      parameters: [domain],
      get: {
        summary: "A knowledge base",
        responses: { 200: ok("It", "KnowledgeBase"), ...errors(400, 401, 404) },
      },
      delete: {
        summary: "Delete a knowledge base and its files",
        responses: { 204: { description: "Deleted" }, ...errors(400, 401, 403, 404) },
      },
    },
    "/kb/{domain_id}/files": {
      parameters: [domain],
      get: {
        summary: "List files",
        parameters: queryParams(listFilesQuery),
        responses: { 200: ok("Files", "KnowledgeFileList"), ...errors(400, 401, 404) },
      },
    },
    "/kb/{domain_id}/files/{path}": {
      parameters: [domain, path],
      get: {
        summary: "Download (streamed; ETag = SHA-256; single Range)",
        parameters: [
          header("Range", "bytes=start-end"),
          header("If-None-Match", "304 when the ETag matches"),
          header("If-Range", "an ETag"),
        ],
        responses: {
          200: {
            description: "The content",
            headers: ETAG,
            content: {
              "application/octet-stream": {
                schema: { type: "string", contentMediaType: "application/octet-stream" },
              },
            },
          },
          206: { description: "The requested range" },
          304: { description: "Unchanged" },
          ...errors(400, 401, 404, 416),
        },
      },
      put: {
        summary: "Upload (the raw body, streamed)",
        requestBody: {
          required: true,
          content: {
            "application/octet-stream": {
              schema: { type: "string", contentMediaType: "application/octet-stream" },
            },
          },
        },
        responses: {
          200: ok("Replaced", "KnowledgeFile", ETAG),
          201: ok("Created", "KnowledgeFile", ETAG),
          ...errors(400, 401, 403, 404, 413),
        },
      },
      delete: {
        summary: "Delete a file",
        responses: { 204: { description: "Deleted" }, ...errors(400, 401, 403, 404) },
      },
    },
    "/kb/{domain_id}/ingest": {
      parameters: [domain],
      post: {
        summary: "Start an ingestion in the background",
        requestBody: { required: false, content: content("IngestRequest") },
        responses: { 202: ok("Started", "IngestJob"), ...errors(400, 401, 403, 404, 501) },
      },
      get: {
        summary: "This domain's jobs, newest first",
        responses: { 200: ok("Jobs", "IngestJobList"), ...errors(400, 401) },
      },
    },
    "/kb/{domain_id}/ingest/{job_id}": {
      parameters: [
        domain,
        { name: "job_id", in: "path", required: true, schema: { type: "string" } },
      ],
      get: {
        summary: "A job's status and result",
        responses: { 200: ok("The job", "IngestJob"), ...errors(400, 401, 404) },
      },
    },
    "/kb/{domain_id}/search": {
      parameters: [domain],
      get: {
        summary: "Search a knowledge base (revision=: as of that revision of its index)",
        parameters: [...queryParams(searchQuery), ...queryParams(revisionQuery)],
        responses: {
          200: ok("Results, best first", "SearchResponse"),
          ...errors(400, 401, 404, 410, 501),
        },
      },
    },
  };
}
