/**
 * `GET /audit?since=&bot_id=&cursor=&limit=`: the audit trail across bots, oldest first, a page
 * at a time (`{ items, cursor? }`; see `RegistryBackend.audit`).
 * @module
 */
import { Hono } from "hono";
import { auditEntryToDict } from "../core/registry/audit-entry.ts";
import { query, type ServerContext } from "./context.ts";
import { auditQuery } from "./label-schemas.ts";

/**
 * The audit route, to mount at `/audit`.
 * @example
 * app.route("/audit", auditRoutes(ctx));
 */
export function auditRoutes(ctx: ServerContext): Hono {
  const r = new Hono();
  r.get("/", async (c) => {
    const { since, bot_id, cursor, limit } = query(c, auditQuery);
    const page = await ctx.registry.audit({
      ...(since === undefined ? {} : { since }),
      ...(bot_id === undefined ? {} : { botId: bot_id }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    });
    const items = page.items.map(auditEntryToDict);
    return c.json(page.cursor === undefined ? { items } : { items, cursor: page.cursor });
  });
  return r;
}
