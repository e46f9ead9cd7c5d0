/**
 * The `paths` of the label, diff and audit routes in the OpenAPI document.
 * @module
 */
import { auditQuery } from "./label-schemas.ts";
import { content, ETAG, errors, header, type Json, ok, queryParams } from "./openapi-paths.ts";

const version = (name: string): Json => ({
  name,
  in: "path",
  required: true,
  schema: { type: "integer", minimum: 1 },
});

/**
 * The label and diff routes under `base` (`/bots`, `/configs`).
 * @example
 * const paths = { ...labelPaths("/bots"), ...auditPaths() };
 */
export function labelPaths(base: string): Json {
  const id = { $ref: "#/components/parameters/botId" };
  const name = {
    name: "name",
    in: "path",
    required: true,
    description: "A label name ([A-Za-z0-9._:@-], 1–256; latest is implied and cannot be set)",
    schema: { type: "string" },
  };
  const ifMatch = header(
    "If-Match",
    "The bot's current version or ETag: 412 when stale; required for a protected label (production) unless the token may move it",
  );
  return {
    [`${base}/{bot_id}/labels`]: {
      parameters: [id],
      get: {
        summary: "The bot's labels (latest first); ETag = the bot's version and labels",
        responses: {
          200: ok("The labels", "BotLabels", ETAG),
          304: { description: "Unchanged" },
          ...errors(400, 401, 404),
        },
      },
    },
    [`${base}/{bot_id}/labels/{name}`]: {
      parameters: [id, name],
      put: {
        summary:
          "Point a label at a version, or split it between versions (a new version with the same content; an updated event naming the label)",
        parameters: [ifMatch],
        requestBody: { required: true, content: content("PutLabel") },
        responses: {
          200: ok("The bot's labels", "BotLabels", ETAG),
          ...errors(400, 401, 403, 404, 409, 412, 413, 428),
        },
      },
      delete: {
        summary: "Remove a label (a new version)",
        parameters: [ifMatch],
        requestBody: { required: false, content: content("ReasonOnly") },
        responses: {
          204: { description: "Removed" },
          ...errors(400, 401, 403, 404, 412, 428),
        },
      },
    },
    [`${base}/{bot_id}/versions/{from}/diff/{to}`]: {
      parameters: [id, version("from"), version("to")],
      get: {
        summary: "What changed from one version to another, as an RFC 6902 JSON Patch",
        responses: {
          200: {
            description: "The patch",
            content: {
              "application/json-patch+json": {
                schema: { $ref: "#/components/schemas/JsonPatch" },
              },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
  };
}

/**
 * `/audit`.
 * @example
 * const paths = auditPaths();
 */
export function auditPaths(): Json {
  return {
    "/audit": {
      get: {
        summary:
          "The audit trail across bots, oldest first: who (the token's name), when, why and what changed, a page at a time",
        parameters: queryParams(auditQuery),
        responses: { 200: ok("A page of entries", "AuditList"), ...errors(400, 401) },
      },
    },
  };
}
