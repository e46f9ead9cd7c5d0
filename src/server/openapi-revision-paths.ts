/**
 * The `paths` of knowledge revisions and of search through a bot in the OpenAPI document.
 * @module
 */
import { errors, type Json, ok, queryParams } from "./openapi-paths.ts";
import { getBotQuery, searchQuery } from "./schemas.ts";

const SERVED: Json = {
  "Botknobs-Version": {
    description: "The bot version whose pin answered",
    schema: { type: "string" },
  },
  "Botknobs-Label": {
    description: "The label asked for (with label=)",
    schema: { type: "string" },
  },
};

/**
 * `GET {base}/{bot_id}/search` (`/bots`, `/configs`).
 * @example
 * const paths = { ...botSearchPaths("/bots"), ...revisionPaths() };
 */
export function botSearchPaths(base: string): Json {
  return {
    [`${base}/{bot_id}/search`]: {
      parameters: [{ $ref: "#/components/parameters/botId" }],
      get: {
        summary:
          "Search the knowledge the bot's served version pins (config.knowledge_pin), as of its revision; label= and key= pick the version as GET /bots/{bot_id} does",
        parameters: [...queryParams(searchQuery), ...queryParams(getBotQuery)],
        responses: {
          200: ok(
            "Results, best first, with the version that answered",
            "BotSearchResponse",
            SERVED,
          ),
          ...errors(400, 401, 404, 409, 410, 501),
        },
      },
    },
  };
}

/**
 * `GET /kb/{domain_id}/revisions`.
 * @example
 * const paths = revisionPaths();
 */
export function revisionPaths(): Json {
  return {
    "/kb/{domain_id}/revisions": {
      parameters: [{ $ref: "#/components/parameters/domainId" }],
      get: {
        summary:
          "The revisions of the knowledge base's search index that can be searched (and pinned), newest — the current one — first",
        responses: {
          200: ok("The revisions kept", "RevisionList"),
          ...errors(400, 401, 404, 501),
        },
      },
    },
  };
}
