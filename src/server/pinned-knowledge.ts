/**
 * A bot's knowledge pinned with its config, over HTTP. `GET /bots/{bot_id}/search` searches
 * the knowledge base the served version's `config.knowledge_pin` names, as of its revision
 * (`?label=&key=` pick the version as `GET /bots/{bot_id}` does), so rolling the bot back or
 * moving a label moves the knowledge view with it. A config write naming a revision this
 * server's index does not keep is refused with 409, naming it.
 * @module
 */
import type { Context, Hono } from "hono";
import {
  ConflictError,
  NotFoundError,
  RevisionGoneError,
  UnsupportedError,
  ValidationError,
} from "../core/errors.ts";
import type { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import type { SearchResult } from "../core/knowledge/search/types.ts";
import { type KnowledgePin, knowledgePinOf } from "../core/registry/knowledge-pin.ts";
import type { Registration } from "../core/registry/registration.ts";
import type { JsonObject } from "../core/validate.ts";
import { query, type ServerContext } from "./context.ts";
import { badInput } from "./errors.ts";
import { botId, SERVED_LABEL_HEADER, SERVED_VERSION_HEADER } from "./registry-http.ts";
import { getBotQuery, searchQuery } from "./schemas.ts";

/**
 * The JSON body of a search route: the query, `k` and the results in their wire form.
 * @example
 * return c.json(searchBody(q, k, await rag.search(q, { k })));
 */
export function searchBody(q: string, k: number, results: SearchResult[]): JsonObject {
  return {
    query: q,
    k,
    results: results.map((r) => ({
      text: r.text,
      content: r.content,
      source: r.source,
      heading_path: r.headingPath,
      similarity: r.similarity,
      metadata: r.metadata as JsonObject,
    })),
  };
}

/**
 * Refuses (409, naming it) a config whose `knowledge_pin` names a knowledge base this server
 * does not have, or a revision its index does not keep; a malformed pin is a 400. Without a
 * search index (a registry-only server) nothing is checked here.
 * @example
 * await checkPinnedRevision(ctx, input.config);
 */
export async function checkPinnedRevision(ctx: ServerContext, config: JsonObject): Promise<void> {
  const pin = knowledgePinOf(config);
  if (!pin || !ctx.rag) return;
  const state = await ctx.rag.revisionState(pin.kb, pin.revision);
  if (state === "kept") return;
  const where = `config.knowledge_pin names revision '${pin.revision}' of knowledge base '${pin.kb}'`;
  if (state === null)
    throw new ConflictError(`Invalid pin: knowledge base '${pin.kb}' does not exist (${where})`);
  throw new ConflictError(
    state === "pruned"
      ? `Invalid pin: ${where}, which its index history no longer keeps: pin a kept revision (GET /kb/${pin.kb}/revisions)`
      : `Invalid pin: ${where}, which it does not have: pin one of its revisions (GET /kb/${pin.kb}/revisions)`,
  );
}

/** The pin of a served version, checked against the knowledge it names (409/410 otherwise). */
async function servedPin(rag: RAGKnowledgeBase, reg: Registration): Promise<KnowledgePin> {
  const which = `Bot '${reg.botId}' version ${reg.version}`;
  let pin: KnowledgePin | null;
  try {
    pin = knowledgePinOf(reg.config);
  } catch (error) {
    // Stored before pins were checked: the bot's fault, not the request's.
    if (!(error instanceof ValidationError)) throw error;
    throw new ConflictError(`${which} has a malformed pin: ${error.message}`, { cause: error });
  }
  if (!pin)
    throw new ConflictError(
      `${which} pins no knowledge: its config has no knowledge_pin { kb, revision }`,
    );
  const state = await rag.revisionState(pin.kb, pin.revision);
  if (state === "pruned") throw new RevisionGoneError(pin.kb, pin.revision);
  if (state !== "kept")
    throw new ConflictError(
      state === null
        ? `${which} pins knowledge base '${pin.kb}', which does not exist`
        : `${which} pins revision '${pin.revision}' of knowledge base '${pin.kb}', which it does not have`,
    );
  return pin;
}

/**
 * Adds `GET /{bot_id}/search` to the registry's router (before its catch-all): the served
 * version's pinned knowledge, searched as of its revision. 404 for a missing or inactive bot
 * or label; 409 for a version without a pin or pinning what does not exist; 410 for a revision
 * the index history no longer keeps; 501 without a search index.
 * @example
 * addBotSearchRoute(r, ctx);
 */
export function addBotSearchRoute(r: Hono, ctx: ServerContext): void {
  const { registry } = ctx;
  r.get("/:id/search", async (c: Context) => {
    const id = botId(c);
    const rag = ctx.rag;
    if (!rag) throw new UnsupportedError("This server has no RAG knowledge base configured");
    const { q, k = 5 } = query(c, searchQuery);
    const { label, key, peek: flag } = query(c, getBotQuery);
    if (key !== undefined && label === undefined)
      throw badInput("key", "a key goes with a label (?label=…&key=…)");
    const peek = flag === "1" || flag === "true";
    const reg =
      label === undefined
        ? peek
          ? await registry.peek(id)
          : await registry.get(id)
        : await registry.getLabeled(id, label, { peek, ...(key === undefined ? {} : { key }) });
    if (!reg) throw new NotFoundError(`Bot '${id}' not found`);
    if (!reg.isActive) throw new NotFoundError(`Bot '${id}' is ${reg.status}`);
    const pin = await servedPin(rag, reg);
    const results = await rag.view(pin).search(q, { k, signal: c.req.raw.signal });
    const headers: Record<string, string> = { [SERVED_VERSION_HEADER]: String(reg.version) };
    if (label !== undefined) headers[SERVED_LABEL_HEADER] = label;
    const { results: wire } = searchBody(q, k, results);
    return c.json(
      { query: q, k, bot_id: id, version: reg.version, knowledge_pin: { ...pin }, results: wire },
      200,
      headers,
    );
  });
}
