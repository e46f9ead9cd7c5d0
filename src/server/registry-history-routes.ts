/**
 * The registry's history routes: `GET /bots/{bot_id}/versions` (a page, newest first),
 * `GET /bots/{bot_id}/versions/{version}` (one version, with its ETag) and
 * `POST /bots/{bot_id}/rollback` (`{ version }`, optional `If-Match`: a new version with the
 * old content). Missing bot or version: 404; stale `If-Match`: 412; bad input: 400.
 * @module
 */
import type { Hono } from "hono";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { RollbackOptions } from "../core/registry/types.ts";
import { parseWith } from "../core/validate.ts";
import { readJson } from "./body.ts";
import { header, query, type ServerContext } from "./context.ts";
import { badInput } from "./errors.ts";
import { noneMatch, parseIfMatch, quoteEtag } from "./preconditions.ts";
import {
  botId,
  ifMatchVersion,
  preconditionFailed,
  registration,
  writeContext,
} from "./registry-http.ts";
import { rollbackSchema, versionsQuery } from "./schemas.ts";

/**
 * Adds the history routes to the registry's router (before its catch-all).
 * @example
 * addHistoryRoutes(r, ctx);
 */
export function addHistoryRoutes(r: Hono, ctx: ServerContext): void {
  const { registry } = ctx;

  r.get("/:id/versions", async (c) => {
    const id = botId(c);
    const { cursor, limit } = query(c, versionsQuery);
    const page = await registry.history(id, {
      ...(cursor !== undefined ? { cursor } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    // A bot without versions does not exist (a later page of an existing one may be empty).
    if (page.items.length === 0 && cursor === undefined)
      throw new NotFoundError(`Bot '${id}' not found`);
    const next = page.cursor === undefined ? "" : `,"cursor":${JSON.stringify(page.cursor)}`;
    const body = `{"items":[${page.items.map((reg) => reg.toJSONText()).join(",")}]${next}}`;
    return c.body(body, 200, { "Content-Type": "application/json" });
  });

  r.get("/:id/versions/:version", async (c) => {
    const id = botId(c);
    const text = c.req.param("version");
    if (!/^[1-9]\d{0,14}$/.test(text))
      throw badInput("version", "expected an integer of at least 1");
    const reg = await registry.getVersion(id, Number(text));
    if (!reg) throw new NotFoundError(`Version ${text} of bot '${id}' not found`);
    const etag = quoteEtag(reg.etag);
    if (noneMatch(header(c, "if-none-match"), etag)) return c.body(null, 304, { ETag: etag });
    return registration(reg);
  });

  r.post("/:id/rollback", async (c) => {
    const id = botId(c);
    const precondition = header(c, "if-match");
    const ifMatch = precondition === undefined ? undefined : parseIfMatch(precondition);
    const { version, reason } = parseWith(
      rollbackSchema,
      await readJson(c, ctx.maxJsonBytes),
      "body",
    );
    const options: RollbackOptions = writeContext(c, reason);
    try {
      const ifVersion = ifMatch ? await ifMatchVersion(registry, id, ifMatch) : undefined;
      if (ifVersion !== undefined) options.ifVersion = ifVersion;
      return registration(await registry.rollback(id, version, options));
    } catch (error) {
      if (error instanceof ConflictError) throw preconditionFailed(error.message);
      throw error;
    }
  });
}
