/**
 * The zod schemas of the label, diff and audit routes (validation and `/openapi.json`).
 * @module
 */
import * as z from "zod/mini";
import { AuditAction } from "../core/registry/audit-entry.ts";
import { botIdSchema } from "../core/validate.ts";
import { cursor, limit, reasonSchema } from "./schemas.ts";

const describe = <T>(schema: z.ZodMiniType<T>, text: string): z.ZodMiniType<T> =>
  schema.check(z.describe(text)) as z.ZodMiniType<T>;
const version = z.int().check(z.minimum(1));
const share = z.object({
  version,
  percent: describe(z.int().check(z.minimum(0), z.maximum(100)), "Integer 0–100"),
});

/** Body of `PUT /bots/{bot_id}/labels/{name}`: one of `version` or `split`, and a reason. */
export interface PutLabelInput {
  version?: number | undefined;
  split?: { version: number; percent: number }[] | undefined;
  reason?: string | undefined;
}
/**
 * Validates the body of `PUT /bots/{bot_id}/labels/{name}` (the shares' sum and repeats are
 * checked by the registry, `checkLabelTarget`, with messages naming them).
 * @example
 * parseWith(putLabelSchema, { version: 3 }, "body");
 */
export const putLabelSchema: z.ZodMiniType<PutLabelInput> = z.strictObject({
  version: z.optional(describe(version, "Point the label at this version")),
  split: z.optional(
    describe(
      z.array(share),
      "Or split it: percents add up to 100, each version once; a key keeps its version until the split changes (list the new version last: raising its share only adds keys)",
    ),
  ),
  reason: z.optional(reasonSchema),
});

/**
 * Body of writes whose body is only optional (`POST /bots/{bot_id}/deactivate`,
 * `DELETE /bots/{bot_id}/labels/{name}`).
 * @example
 * parseWith(reasonOnlySchema, { reason: "retired" }, "body");
 */
export const reasonOnlySchema: z.ZodMiniType<{ reason?: string | undefined }> = z.strictObject({
  reason: z.optional(reasonSchema),
});

const labelView = z.object({
  version: describe(z.int(), "The version it serves without a key (a split's largest share)"),
  split: z.optional(z.array(share)),
});

/**
 * A bot's labels (a response of `GET`/`PUT …/labels`).
 * @example
 * z.toJSONSchema(botLabelsSchema, { io: "output" });
 */
export const botLabelsSchema: z.ZodMiniType = z.object({
  bot_id: botIdSchema,
  version: describe(z.int(), "The bot's current version (what latest names; also the ETag)"),
  status: z.string(),
  labels: describe(z.record(z.string(), labelView), "latest first, then by name"),
});

/**
 * An RFC 6902 JSON Patch (`GET …/versions/{a}/diff/{b}`).
 * @example
 * z.toJSONSchema(jsonPatchSchema, { io: "output" });
 */
export const jsonPatchSchema: z.ZodMiniType = describe(
  z.array(
    z.object({
      op: z.enum(["add", "remove", "replace"]),
      path: describe(z.string(), "A JSON Pointer into { config, status, metadata, labels }"),
      value: z.optional(z.unknown()),
    }),
  ),
  "Applied to version a's document it gives version b's",
);

/** Query of `GET /audit`. */
export interface AuditQuery {
  since?: string | undefined;
  bot_id?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}
/**
 * Validates the query of `GET /audit`.
 * @example
 * parseWith(auditQuery, { since: "2026-01-01T00:00:00Z", limit: "50" }, "query");
 */
export const auditQuery: z.ZodMiniType<AuditQuery> = z.object({
  since: z.optional(describe(z.string(), "Only writes at or after this ISO-8601 time")),
  bot_id: z.optional(describe(botIdSchema, "Only this bot's writes")),
  cursor: z.optional(describe(cursor, "The cursor of the previous page")),
  limit: z.optional(describe(limit, "Page size, 1–1000 (default 100)")),
});

/**
 * `GET /audit` response.
 * @example
 * z.toJSONSchema(auditListSchema, { io: "output" });
 */
export const auditListSchema: z.ZodMiniType = z.object({
  items: z.array(
    z.object({
      bot_id: botIdSchema,
      version: z.int(),
      at: describe(z.string(), "ISO-8601 UTC time of the write"),
      actor: describe(z.nullable(z.string()), "The token's name (never the token)"),
      reason: z.nullable(z.string()),
      action: z.enum(Object.values(AuditAction) as [string, ...string[]]),
      changed: describe(
        z.nullable(z.array(z.string())),
        "JSON Pointers changed since the version before (null when it is no longer kept)",
      ),
      labels: z.record(z.string(), labelView),
    }),
  ),
  cursor: z.optional(describe(z.string(), "Present when more follow")),
});
