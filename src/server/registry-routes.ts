/**
 * The registry's HTTP contract (API.md), served at `/bots` and at `/configs`:
 * GET item/list (paged) with ETags and 304s (`?label=&key=`: the version a label serves), POST
 * create (409), PUT upsert with `If-Match` (412), DELETE, POST `/{bot_id}/deactivate`, the
 * history routes (`versions`, `rollback`), the label routes (`labels`, `diff`) and search
 * through a bot's pinned knowledge (`search`). Every write records its actor (the token's name)
 * and the body's optional `reason`; a config whose `knowledge_pin` names a revision this
 * server's index does not keep is refused (409).
 * @module
 */
import { type Context, Hono } from "hono";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { Registration } from "../core/registry/registration.ts";
import type {
  RegistryBackend,
  UpdateOptions,
  WriteContextOptions,
} from "../core/registry/types.ts";
import { KeyedLock } from "../core/util/keyed-lock.ts";
import { parseWith } from "../core/validate.ts";
import { readJson, readOptionalJson } from "./body.ts";
import { header, query, type ServerContext } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";
import { labelledEtag } from "./label-etags.ts";
import { reasonOnlySchema } from "./label-schemas.ts";
import { RevisionSettler } from "./list-revision.ts";
import { addBotSearchRoute, checkPinnedRevision } from "./pinned-knowledge.ts";
import { type IfMatch, noneMatch, parseIfMatch, quoteEtag } from "./preconditions.ts";
import { addHistoryRoutes } from "./registry-history-routes.ts";
import {
  botId,
  ifMatchVersion,
  preconditionFailed,
  registration,
  SERVED_LABEL_HEADER,
  SERVED_VERSION_HEADER,
  writeContext,
} from "./registry-http.ts";
import { addLabelRoutes } from "./registry-label-routes.ts";
import {
  createBotSchema,
  getBotQuery,
  listBotsQuery,
  type PutBotInput,
  putBotSchema,
} from "./schemas.ts";

/** `PUT` with `If-Match`: a must-exist update, conditional on a version or an ETag. */
async function conditionalUpdate(
  registry: RegistryBackend,
  id: string,
  input: PutBotInput,
  ifMatch: IfMatch,
  context: WriteContextOptions,
): Promise<Registration> {
  const options: UpdateOptions = { ...context };
  if (input.status !== undefined) options.status = input.status;
  if (input.metadata !== undefined) options.metadata = input.metadata;
  try {
    const ifVersion = await ifMatchVersion(registry, id, ifMatch);
    if (ifVersion !== undefined) options.ifVersion = ifVersion;
    return await registry.update(id, input.config, options);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw preconditionFailed(error.message, ApiErrorCode.NOT_FOUND);
    if (error instanceof ConflictError) throw preconditionFailed(error.message);
    throw error;
  }
}

/**
 * `PUT` without `If-Match` and without `status`: an upsert that keeps the current status (a new
 * bot is active), in the backend's one read/compare-and-set loop (`createIfMissing`).
 */
function upsertKeepingStatus(
  registry: RegistryBackend,
  id: string,
  input: PutBotInput,
  context: WriteContextOptions,
): Promise<Registration> {
  return registry.update(id, input.config, {
    ...context,
    createIfMissing: true,
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
  });
}

// Lists larger than this (about 16,000 registrations of 500 bytes) are built per request.
const MAX_CACHED_LIST_CHARS = 8 * 1024 * 1024;
// Cached list bodies (per status filter, cursor and limit), all of one revision.
const MAX_CACHED_LISTS = 64;

/** What no route matched: the methods a known path has (405), or a bad id (400). */
function allowed(segments: string[]): string | null {
  const [id = "", action, version, diff, to] = segments;
  if (segments.length === 0) return "GET, HEAD, POST";
  if (id === "") return null;
  if (segments.length === 1) return "GET, HEAD, PUT, DELETE";
  if (segments.length === 2 && (action === "deactivate" || action === "rollback")) return "POST";
  if (action === "versions" && (segments.length === 2 || (segments.length === 3 && version !== "")))
    return "GET, HEAD";
  if (action === "versions" && segments.length === 5 && diff === "diff" && to !== "")
    return "GET, HEAD";
  if ((action === "labels" || action === "search") && segments.length === 2) return "GET, HEAD";
  if (action === "labels" && segments.length === 3 && version !== "") return "PUT, DELETE";
  return null;
}

/**
 * The registry routes, to mount at `/bots` (and `/configs`).
 * @example
 * app.route("/bots", registryRoutes(ctx));
 */
export function registryRoutes(ctx: ServerContext): Hono {
  const { registry } = ctx;
  const creating = new KeyedLock();
  // List bodies valid while the revision is unchanged and settled: what a 304 already assumes
  // (access times may lag in them, as they do behind a 304).
  const lists = new Map<string, string>();
  let listsRevision = "";
  const revisions = new RevisionSettler(ctx.now);
  const r = new Hono();

  r.get("/", async (c) => {
    const { status, cursor, limit } = query(c, listBotsQuery);
    // The revision is read before anything is listed: a 304 costs no listing, and a list is
    // never older than the ETag it is sent with.
    const served = revisions.observe(await registry.revision(), registry.visibilityLagMs ?? 0);
    const etag = quoteEtag(served.value);
    const headers = { ETag: etag, "Cache-Control": "no-cache" };
    if (noneMatch(header(c, "if-none-match"), etag)) return c.body(null, 304, headers);
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    if (listsRevision !== served.value) {
      lists.clear();
      listsRevision = served.value;
    }
    const key = `${status ?? ""}|${limit ?? ""}|${cursor ?? ""}`;
    let body = lists.get(key);
    if (body === undefined) {
      const page = await registry.listPage({
        ...(status !== undefined ? { status } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      const next = page.cursor === undefined ? "" : `,"cursor":${JSON.stringify(page.cursor)}`;
      body = `{"items":[${page.items.map((reg) => reg.toJSONText()).join(",")}],"revision":${JSON.stringify(served.value)}${next}}`;
      if (served.settled && body.length <= MAX_CACHED_LIST_CHARS) {
        if (lists.size >= MAX_CACHED_LISTS) lists.delete(lists.keys().next().value as string);
        lists.set(key, body);
      }
    }
    return c.body(body, 200, { ...headers, "Content-Type": "application/json" });
  });

  r.post("/", async (c) => {
    const input = parseWith(createBotSchema, await readJson(c, ctx.maxJsonBytes), "body");
    const id = input.bot_id;
    await checkPinnedRevision(ctx, input.config);
    // One create per id at a time in this process, so two racing POSTs give one 201 and one 409.
    const reg = await creating.run(id, async () => {
      if (await registry.peek(id)) throw new ConflictError(`Bot '${id}' already exists`);
      return registry.register(id, input.config, {
        ...writeContext(c, input.reason),
        ...(input.status !== undefined ? { status: input.status } : {}),
        ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      });
    });
    c.header("Location", `${c.req.path.replace(/\/$/, "")}/${encodeURIComponent(id)}`);
    return registration(reg, 201);
  });

  r.get("/:id", async (c) => {
    const id = botId(c);
    // The hot path: most reads carry no query string, so there is nothing to validate.
    const q = c.req.url.includes("?") ? query(c, getBotQuery) : undefined;
    const peek = q?.peek === "1" || q?.peek === "true";
    if (q?.label !== undefined) return labelled(c, id, q.label, q.key, peek);
    if (q?.key !== undefined) throw badInput("key", "a key goes with a label (?label=…&key=…)");
    const reg = peek ? await registry.peek(id) : await registry.get(id);
    if (!reg) throw new NotFoundError(`Bot '${id}' not found`);
    const etag = quoteEtag(reg.etag);
    if (noneMatch(header(c, "if-none-match"), etag)) return c.body(null, 304, { ETag: etag });
    return registration(reg);
  });

  /** `GET /bots/{id}?label=…&key=…`: the version the label serves, saying which in headers. */
  async function labelled(
    c: Context,
    id: string,
    label: string,
    key: string | undefined,
    peek: boolean,
  ): Promise<Response> {
    const reg = await registry.getLabeled(id, label, {
      peek,
      ...(key === undefined ? {} : { key }),
    });
    if (!reg) throw new NotFoundError(`Bot '${id}' not found`);
    // Not the content's ETag: a label move keeps that, and a 304 would keep the old version.
    const headers = {
      ETag: quoteEtag(labelledEtag(reg)),
      [SERVED_VERSION_HEADER]: String(reg.version),
      [SERVED_LABEL_HEADER]: label,
    };
    if (noneMatch(header(c, "if-none-match"), headers.ETag)) return c.body(null, 304, headers);
    const response = registration(reg);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  }

  r.put("/:id", async (c) => {
    const id = botId(c);
    const precondition = header(c, "if-match");
    // A bad If-Match is refused before the body is read.
    const ifMatch = precondition === undefined ? undefined : parseIfMatch(precondition);
    const input = parseWith(putBotSchema, await readJson(c, ctx.maxJsonBytes), "body");
    if (input.bot_id !== undefined && input.bot_id !== id)
      throw badInput("bot_id", `'${input.bot_id}' differs from the bot id in the path '${id}'`);
    await checkPinnedRevision(ctx, input.config);
    const context = writeContext(c, input.reason);
    let reg: Registration;
    if (ifMatch) reg = await conditionalUpdate(registry, id, input, ifMatch, context);
    else if (input.status !== undefined) {
      reg = await registry.register(id, input.config, {
        ...context,
        status: input.status,
        ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      });
    } else reg = await upsertKeepingStatus(registry, id, input, context);
    return registration(reg);
  });

  /** The write context of a write whose body is optional (`{ reason }` at most). */
  const optionalReason = async (c: Context): Promise<WriteContextOptions> => {
    const body = await readOptionalJson(c, ctx.maxJsonBytes);
    return writeContext(
      c,
      body === undefined ? undefined : parseWith(reasonOnlySchema, body, "body").reason,
    );
  };

  r.delete("/:id", async (c) => {
    const id = botId(c);
    if (!(await registry.unregister(id, await optionalReason(c))))
      throw new NotFoundError(`Bot '${id}' not found`);
    return c.body(null, 204);
  });

  r.post("/:id/deactivate", async (c) => {
    const id = botId(c);
    if (!(await registry.deactivate(id, await optionalReason(c))))
      throw new NotFoundError(`Bot '${id}' not found`);
    const reg = await registry.peek(id);
    if (!reg) throw new NotFoundError(`Bot '${id}' not found`);
    return registration(reg);
  });

  addHistoryRoutes(r, ctx);
  addLabelRoutes(r, ctx);
  addBotSearchRoute(r, ctx);

  // What no route above matched: a method a route does not have (405), or a path that is not
  // one bot id (and its actions) — deeper (`/bots/a/b`, a `%2F` decoded by a proxy) or empty
  // (`/bots/`), which is a bad id (400) and never another route.
  r.all("/*", (c) => {
    const segments = c.req.path
      .replace(/^\/[^/]*/, "")
      .split("/")
      .slice(1);
    const allow = allowed(segments);
    if (allow) {
      throw new ApiError(
        405,
        ApiErrorCode.METHOD_NOT_ALLOWED,
        `${c.req.method} is not allowed on ${c.req.path}`,
        { Allow: allow },
      );
    }
    throw badInput(
      "botId",
      `${JSON.stringify(segments.join("/").slice(0, 80))} is not one path segment of [A-Za-z0-9._:@-]`,
    );
  });

  return r;
}
