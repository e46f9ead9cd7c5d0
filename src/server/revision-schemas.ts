/**
 * The zod schemas of knowledge revisions and of search through a bot (validation and
 * `/openapi.json`): `GET /kb/{domain}/revisions`, `revision=` on `GET /kb/{domain}/search`, and
 * `GET /bots/{bot_id}/search`.
 * @module
 */
import * as z from "zod/mini";
import { MAX_REVISION_CHARS } from "../core/registry/knowledge-pin.ts";
import { botIdSchema } from "../core/validate.ts";
import { searchResultSchema } from "./schemas.ts";

const describe = <T>(schema: z.ZodMiniType<T>, text: string): z.ZodMiniType<T> =>
  schema.check(z.describe(text)) as z.ZodMiniType<T>;

const revision = describe(
  z.string().check(z.minLength(1), z.maxLength(MAX_REVISION_CHARS)),
  "A revision of the knowledge base's search index: a commit id (GET /kb/{domain_id}/revisions lists those kept)",
);

/**
 * The part of `GET /kb/{domain}/search`'s query beyond `q` and `k`: `revision=` searches as of
 * that revision (410 once the history no longer keeps it, 400 when it never was one).
 * @example
 * parseWith(revisionQuery, { revision: "4c1f…" }, "query");
 */
export const revisionQuery: z.ZodMiniType<{ revision?: string | undefined }> = z.object({
  revision: z.optional(revision),
});

/**
 * `GET /kb/{domain}/revisions` response: the revisions that can be searched, newest (the current
 * one) first.
 * @example
 * z.toJSONSchema(revisionListSchema, { io: "output" });
 */
export const revisionListSchema: z.ZodMiniType = z.object({
  items: z.array(
    z.object({
      revision,
      committed_at: z.nullable(z.string()),
      current: z.boolean(),
    }),
  ),
});

/**
 * A bot config's `knowledge_pin` (the registry checks it on every write).
 * @example
 * z.toJSONSchema(knowledgePinSchema, { io: "output" });
 */
export const knowledgePinSchema: z.ZodMiniType = describe(
  z.strictObject({ kb: botIdSchema, revision }),
  "The knowledge base and revision a bot version was tested with (config.knowledge_pin)",
);

/**
 * `GET /bots/{bot_id}/search` response: the search response, with the bot version that
 * answered and its pin.
 * @example
 * z.toJSONSchema(botSearchResponseSchema, { io: "output" });
 */
export const botSearchResponseSchema: z.ZodMiniType = z.object({
  query: z.string(),
  k: z.int(),
  bot_id: botIdSchema,
  version: describe(
    z.int(),
    "The bot version whose pin answered (also the Botknobs-Version header)",
  ),
  knowledge_pin: knowledgePinSchema,
  results: z.array(searchResultSchema),
});
