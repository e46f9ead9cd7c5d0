/**
 * The label and diff routes of the registry: `GET /bots/{bot_id}/labels`,
 * `PUT`/`DELETE /bots/{bot_id}/labels/{name}` (`{ "version": 3 }` or `{ "split": [...] }`,
 * optional `If-Match` and `reason`) and `GET /bots/{bot_id}/versions/{a}/diff/{b}` (RFC 6902).
 *
 * Protected labels (`createApp({ protectedLabels })`, default `production`) move only with an
 * `If-Match` naming the bot's current version or ETag (the caller shows it read what it
 * changes), or with a token allowed to (`{ name, token, protectedLabels: true }`); otherwise
 * 428 Precondition Required. A version that does not exist, is no longer kept or is not active:
 * 409 naming it; shares that do not add up to 100 or name a version twice: 400.
 * @module
 */
import type { Context, Hono } from "hono";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { BotLabels } from "../core/registry/labels.ts";
import { checkLabelName, checkLabelTarget } from "../core/registry/labels.ts";
import type { LabelWriteOptions } from "../core/registry/types.ts";
import { parseWith } from "../core/validate.ts";
import { principalOf } from "./auth.ts";
import { readJson, readOptionalJson } from "./body.ts";
import { header, type ServerContext } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";
import { labelsEtag } from "./label-etags.ts";
import { putLabelSchema, reasonOnlySchema } from "./label-schemas.ts";
import { type IfMatch, noneMatch, parseIfMatch, quoteEtag } from "./preconditions.ts";
import { botId, ifMatchVersion, preconditionFailed, writeContext } from "./registry-http.ts";

/** A bot's labels as JSON, with their ETag (the bot's version and a hash of what is shown). */
function labelsResponse(labels: BotLabels): Response {
  const body = {
    bot_id: labels.botId,
    version: labels.version,
    status: labels.status,
    labels: labels.labels,
  };
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", etag: quoteEtag(labelsEtag(labels)) },
  });
}

/** The label name of the path (400 naming `label`; `latest` cannot be written). */
function labelName(c: Context): string {
  return checkLabelName(c.req.param("name"));
}

/** A version number of the path (400 naming it). */
function pathVersion(c: Context, name: string): number {
  const text = c.req.param(name) ?? "";
  if (!/^[1-9]\d{0,14}$/.test(text)) throw badInput(name, "expected an integer of at least 1");
  return Number(text);
}

/**
 * The write options of a label request: its write context, and the `ifVersion` its
 * `If-Match` names. A protected label without an `If-Match` (`*` does not count) and without a
 * token allowed to move it is a 428.
 */
async function labelWrite(
  c: Context,
  ctx: ServerContext,
  id: string,
  name: string,
  reason: string | undefined,
): Promise<LabelWriteOptions> {
  const precondition = header(c, "if-match");
  const ifMatch: IfMatch | undefined =
    precondition === undefined ? undefined : parseIfMatch(precondition);
  const conditional = ifMatch !== undefined && !ifMatch.any;
  if (ctx.protectedLabels.has(name) && !conditional && !principalOf(c)?.protectedLabels) {
    throw new ApiError(
      428,
      ApiErrorCode.PRECONDITION_REQUIRED,
      `Label '${name}' is protected: send If-Match with bot '${id}''s current version or ETag, or use a token allowed to move protected labels`,
    );
  }
  const options: LabelWriteOptions = writeContext(c, reason);
  if (ifMatch) {
    try {
      const ifVersion = await ifMatchVersion(ctx.registry, id, ifMatch);
      if (ifVersion !== undefined) options.ifVersion = ifVersion;
    } catch (error) {
      if (error instanceof ConflictError) throw preconditionFailed(error.message);
      throw error;
    }
  }
  return options;
}

/**
 * A `ConflictError` of a conditional label write: 412 when the bot is no longer at the version
 * `If-Match` named, else (a version that cannot be labelled) the 409 as it is.
 */
async function conflictOf(
  ctx: ServerContext,
  id: string,
  options: LabelWriteOptions,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof ConflictError) || options.ifVersion === undefined) return error;
  const current = await ctx.registry.peek(id);
  return current?.version !== options.ifVersion ? preconditionFailed(error.message) : error;
}

/**
 * Adds the label and diff routes to the registry's router (before its catch-all).
 * @example
 * addLabelRoutes(r, ctx);
 */
export function addLabelRoutes(r: Hono, ctx: ServerContext): void {
  const { registry } = ctx;

  r.get("/:id/labels", async (c) => {
    const id = botId(c);
    const labels = await registry.getLabels(id);
    if (!labels) throw new NotFoundError(`Bot '${id}' not found`);
    const etag = quoteEtag(labelsEtag(labels));
    if (noneMatch(header(c, "if-none-match"), etag)) return c.body(null, 304, { ETag: etag });
    return labelsResponse(labels);
  });

  r.put("/:id/labels/:name", async (c) => {
    const id = botId(c);
    const name = labelName(c);
    const { reason, ...given } = parseWith(
      putLabelSchema,
      await readJson(c, ctx.maxJsonBytes),
      "body",
    );
    const target = checkLabelTarget(given);
    const options = await labelWrite(c, ctx, id, name, reason);
    try {
      return labelsResponse(await registry.setLabel(id, name, target, options));
    } catch (error) {
      throw await conflictOf(ctx, id, options, error);
    }
  });

  r.delete("/:id/labels/:name", async (c) => {
    const id = botId(c);
    const name = labelName(c);
    const body = await readOptionalJson(c, ctx.maxJsonBytes);
    const { reason } = body === undefined ? {} : parseWith(reasonOnlySchema, body, "body");
    const options = await labelWrite(c, ctx, id, name, reason);
    let deleted: boolean;
    try {
      deleted = await registry.deleteLabel(id, name, options);
    } catch (error) {
      throw await conflictOf(ctx, id, options, error);
    }
    if (!deleted) throw new NotFoundError(`Bot '${id}' has no label '${name}'`);
    return c.body(null, 204);
  });

  r.get("/:id/versions/:from/diff/:to", async (c) => {
    const id = botId(c);
    const patch = await registry.diff(id, pathVersion(c, "from"), pathVersion(c, "to"));
    return new Response(JSON.stringify(patch), {
      headers: { "content-type": "application/json-patch+json" },
    });
  });
}
