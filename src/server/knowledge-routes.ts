/**
 * The knowledge API at `/kb`: knowledge bases, their files (see `file-routes.ts`), background
 * ingestion jobs, search (as of a revision of the index, too) and the revisions kept.
 * @module
 */
import { type Context, Hono } from "hono";
import { NotFoundError, UnsupportedError } from "../core/errors.ts";
import type { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import {
  IngestionStatus,
  type KnowledgeBaseInfo,
  type KnowledgeBaseInfoDict,
} from "../core/knowledge/store/models.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import { parseWith } from "../core/validate.ts";
import { readJson, readOptionalJson } from "./body.ts";
import { background, query, type ServerContext } from "./context.ts";
import { domainId, fileRoutes } from "./file-routes.ts";
import { InProcessIngestionScheduler } from "./jobs.ts";
import { searchBody } from "./pinned-knowledge.ts";
import { revisionQuery } from "./revision-schemas.ts";
import { createKbSchema, ingestSchema, searchQuery } from "./schemas.ts";

/** What a `POST /kb/{domain}/ingest` asks for (its optional JSON body). */
export interface IngestRequest {
  clearExisting?: boolean;
  force?: boolean;
}

/**
 * Reads the optional body of `POST /kb/{domain}/ingest` (`{ clear_existing?, force? }`, at most
 * `limit` bytes): 400 on anything else. The Worker's ingestion routes read theirs with it too.
 * @example
 * const { clearExisting, force } = await readIngestOptions(c, 64 * 1024);
 */
export async function readIngestOptions(c: Context, limit: number): Promise<IngestRequest> {
  const input = parseWith(ingestSchema, (await readOptionalJson(c, limit)) ?? {}, "body");
  return {
    ...(input.clear_existing !== undefined ? { clearExisting: input.clear_existing } : {}),
    ...(input.force !== undefined ? { force: input.force } : {}),
  };
}

/**
 * The summary with the ingestion status checked against the index: `ready` (or `error`) over an
 * index that is not there — a new process over a memory index, a deleted index folder — shows
 * as `pending` with the reason, never as ready.
 */
async function withIndexState(
  info: KnowledgeBaseInfo,
  rag: RAGKnowledgeBase | undefined,
): Promise<KnowledgeBaseInfoDict> {
  const dict = info.toDict();
  const claimsIndex =
    info.ingestionStatus === IngestionStatus.READY ||
    info.ingestionStatus === IngestionStatus.ERROR;
  if (!rag || !claimsIndex || (await rag.isIndexed(info.domainId))) return dict;
  return {
    ...dict,
    ingestion_status: IngestionStatus.PENDING,
    ingestion_error: `the search index of this knowledge base is missing (it was ${info.ingestionStatus}); ingest it again`,
  };
}

function unsupported(what: string): never {
  throw new UnsupportedError(`This server has no ${what} configured`);
}

/**
 * The knowledge routes, to mount at `/kb`. Without a knowledge backend every route is a 501.
 * @example
 * app.route("/kb", knowledgeRoutes(ctx));
 */
export function knowledgeRoutes(ctx: ServerContext): Hono {
  const r = new Hono();
  if (!ctx.knowledge) {
    r.all("*", () => unsupported("knowledge backend"));
    return r;
  }
  const knowledge: KnowledgeResourceBackend = ctx.knowledge;
  // Where runs happen: the scheduler given, or this process (each job one whole run of the
  // ingestion manager, one atomic batch).
  const jobs =
    ctx.scheduler ?? (ctx.ingestion ? new InProcessIngestionScheduler(ctx.ingestion) : undefined);

  r.get("/", async (c) => {
    const infos = await knowledge.listKbs();
    return c.json({ items: await Promise.all(infos.map((i) => withIndexState(i, ctx.rag))) });
  });

  r.post("/", async (c) => {
    const input = parseWith(createKbSchema, await readJson(c, ctx.maxJsonBytes), "body");
    const info = await knowledge.createKb(
      input.domain_id,
      input.metadata === undefined ? {} : { metadata: input.metadata },
    );
    c.header("Location", `${c.req.path.replace(/\/$/, "")}/${encodeURIComponent(input.domain_id)}`);
    return c.json(info.toDict(), 201);
  });

  r.get("/:domain", async (c) => {
    const domain = domainId(c);
    const info = await knowledge.getInfo(domain);
    if (!info) throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
    return c.json(await withIndexState(info, ctx.rag));
  });

  r.delete("/:domain", async (c) => {
    const domain = domainId(c);
    const info = await knowledge.getInfo(domain);
    if (!info || !(await knowledge.deleteKb(domain)))
      throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
    // Its index goes too (an index kept beside the files went with them already).
    await ctx.rag?.index.remove({ domainId: domain, generation: info.generation });
    return c.body(null, 204);
  });

  fileRoutes(r, ctx);

  r.post("/:domain/ingest", async (c) => {
    const domain = domainId(c);
    const scheduler = jobs ?? unsupported("ingestion manager");
    const input = await readIngestOptions(c, ctx.maxJsonBytes);
    if (!(await knowledge.getInfo(domain)))
      throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
    const { job, running } = await scheduler.schedule(domain, input);
    if (running) background(c, running);
    c.header("Location", `${c.req.path}/${job.job_id}`);
    return c.json(job, 202);
  });

  r.get("/:domain/ingest", async (c) => {
    const domain = domainId(c);
    return c.json({ items: (await jobs?.list(domain)) ?? [] });
  });

  r.get("/:domain/ingest/:job", async (c) => {
    const domain = domainId(c);
    const job = await jobs?.status(domain, c.req.param("job"));
    if (!job) throw new NotFoundError(`No ingestion job '${c.req.param("job")}' for '${domain}'`);
    return c.json(job);
  });

  r.get("/:domain/search", async (c) => {
    const domain = domainId(c);
    const rag = ctx.rag ?? unsupported("RAG knowledge base");
    const { q, k = 5 } = query(c, searchQuery);
    const { revision } = query(c, revisionQuery);
    if (!(await knowledge.getInfo(domain)))
      throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
    const results = await rag.search(q, {
      k,
      filter: { domain_id: domain },
      signal: c.req.raw.signal,
      ...(revision === undefined ? {} : { revision }),
    });
    return c.json(searchBody(q, k, results));
  });

  r.get("/:domain/revisions", async (c) => {
    const domain = domainId(c);
    const rag = ctx.rag ?? unsupported("RAG knowledge base");
    if (!(await knowledge.getInfo(domain)))
      throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
    const kept = await rag.revisions(domain);
    return c.json({
      items: kept.map((r) => ({
        revision: r.revision,
        committed_at: r.committedAt,
        current: r.current,
      })),
    });
  });

  return r;
}
