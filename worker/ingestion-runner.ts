/**
 * {@link IngestionRunner}: the Durable Object that ingests a knowledge base on the Worker, one
 * object per domain. `POST /kb/{domain}/ingest` answers 202 at once; the ingestion runs in the
 * object's alarms, a bounded batch of files per alarm, each batch committed to the search index
 * (in R2) and then recorded in the object's storage with the job's progress, and the alarm armed
 * again for the next batch. No request waits for it and no invocation runs long, whatever the
 * size of the knowledge base.
 *
 * A crash (an evicted object, a restarted runtime, an exception) loses at most the batch under
 * way: nothing of it was committed, and the next alarm (workerd retries a failed one; a status
 * request arms one if none is set) starts again from the last recorded file. Files of committed
 * batches are never processed again: the job resumes after them, and a batch committed just
 * before a crash that its record missed finds its files already indexed with their checksums
 * (counted as unchanged, not chunked again).
 *
 * Each batch is atomic on its own: during a large ingestion, searches see the files of the
 * batches committed so far (the Node server's in-process ingestion makes the whole run visible
 * at once instead). Files deleted from the knowledge base go from the index with the last batch.
 *
 * Each batch is one call of the core's ingestion step (`ingestBatch`, which the in-process
 * `KnowledgeIngestionManager` runs as one batch for a whole run): this object only chooses the
 * batches, keeps the job and its progress, and arms the alarms (the Durable Object implementation
 * of the `IngestionScheduler` port, reached through `runnerScheduler` in `ingest-scheduler.ts`).
 * @module
 */
import type { DurableObjectState } from "@cloudflare/workers-types/index.ts";
import { ConflictError, NotFoundError } from "../src/core/errors.ts";
import { emptyCounters, ingestBatch } from "../src/core/knowledge/ingest/batch.ts";
import { IngestionClaim } from "../src/core/knowledge/ingest/claim.ts";
import type { IngestTarget } from "../src/core/knowledge/ingest/types.ts";
import { createAppOver, mapError, type ServedApp } from "../src/server/index.ts";
import type { Env } from "./bindings.ts";
import { stores } from "./bindings.ts";
import { FILES_PAGE, type JobFile, type JobState, jobDict } from "./ingest-job.ts";

/** Files per alarm at most. */
export const BATCH_FILES = 64;
/** Bytes of files per alarm at most (a batch holds at least one file). */
export const BATCH_BYTES: number = 4 * 1024 * 1024;
/** Errors kept per job (the count of failed files goes on beyond). */
const MAX_ERRORS = 1000;

const reply = (status: number, body: unknown): Response => Response.json(body, { status });

/**
 * One domain's ingestion jobs. Its internal routes (the Worker's `ingest-scheduler.ts` calls them):
 * `POST /start` (`{ domain, clearExisting, force }`), `GET /jobs/{id}`, `GET /jobs`.
 */
export class IngestionRunner {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  #services: ServedApp | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
  }

  get #storage(): DurableObjectState["storage"] {
    return this.#ctx.storage;
  }

  #app(): ServedApp {
    this.#services ??= createAppOver(stores(this.#env), { eventStream: false });
    return this.#services;
  }

  /** The internal routes. */
  async fetch(request: Request): Promise<Response> {
    try {
      const { pathname } = new URL(request.url);
      if (request.method === "POST" && pathname === "/start")
        return reply(202, jobDict(await this.#start((await request.json()) as StartInput)));
      if (request.method === "GET" && pathname === "/jobs") {
        const jobs = await this.#storage.list<JobState>({ prefix: "job:" });
        const items = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        return reply(200, { items: items.map(jobDict) });
      }
      const match = /^\/jobs\/([^/]+)$/.exec(pathname);
      if (request.method === "GET" && match) {
        const job = await this.#storage.get<JobState>(`job:${match[1]}`);
        if (!job) throw new NotFoundError(`No ingestion job '${match[1]}'`);
        // A job whose alarm was lost (retries exhausted) goes on from where it stopped.
        if (job.status === "running" && (await this.#storage.getAlarm()) === null)
          await this.#storage.setAlarm(Date.now());
        return reply(200, jobDict(job));
      }
      return reply(404, { error: { code: "NOT_FOUND", message: `No route ${pathname}` } });
    } catch (error) {
      const { status, body } = mapError(error);
      return reply(status, body);
    }
  }

  /**
   * Starts a job: lists the files, records them and the job, arms the alarm. A job already
   * running for the domain is answered instead of a second one (its files are being ingested).
   */
  async #start(input: StartInput): Promise<JobState> {
    const currentId = await this.#storage.get<string>("current");
    const current = currentId ? await this.#storage.get<JobState>(`job:${currentId}`) : undefined;
    if (current?.status === "running") return current;
    const { knowledge } = this.#app();
    const info = await knowledge.getInfo(input.domain);
    if (!info) throw new NotFoundError(`Knowledge base '${input.domain}' does not exist`);
    const files: JobFile[] = (await knowledge.listFiles(input.domain)).map((f) => ({
      path: f.path,
      checksum: f.checksum,
      metadata: f.metadata,
    }));
    const job: JobState = {
      jobId: crypto.randomUUID(),
      domainId: input.domain,
      generation: info.generation,
      clearExisting: input.clearExisting ?? true,
      force: input.force ?? false,
      status: "running",
      createdAt: new Date().toISOString(),
      completedAt: null,
      total: files.length,
      done: 0,
      pages: Math.ceil(files.length / FILES_PAGE),
      ...emptyCounters(),
      batches: 0,
      batchesRetried: 0,
      inflight: null,
      error: null,
    };
    const entries: Record<string, unknown> = { current: job.jobId, [`job:${job.jobId}`]: job };
    for (let p = 0; p < job.pages; p++)
      entries[`files:${job.jobId}:${p}`] = files.slice(p * FILES_PAGE, (p + 1) * FILES_PAGE);
    // At most 128 keys per put: the pages in groups, the job (which names them) last.
    const keys = Object.keys(entries).filter((k) => k.startsWith("files:"));
    for (let i = 0; i < keys.length; i += 100)
      await this.#storage.put(
        Object.fromEntries(keys.slice(i, i + 100).map((k) => [k, entries[k]])),
      );
    await new IngestionClaim(this.#target(job)).claim();
    await this.#storage.put({ current: job.jobId, [`job:${job.jobId}`]: job });
    await this.#storage.setAlarm(Date.now());
    return job;
  }

  async #files(job: JobState, from: number, to: number): Promise<JobFile[]> {
    const out: JobFile[] = [];
    for (let p = Math.floor(from / FILES_PAGE); p * FILES_PAGE < to && p < job.pages; p++) {
      const page = (await this.#storage.get<JobFile[]>(`files:${job.jobId}:${p}`)) ?? [];
      page.forEach((f, i) => {
        const n = p * FILES_PAGE + i;
        if (n >= from && n < to) out.push(f);
      });
    }
    return out;
  }

  /** One batch of the current job; arms the next alarm while files remain. */
  async alarm(): Promise<void> {
    const id = await this.#storage.get<string>("current");
    const job = id ? await this.#storage.get<JobState>(`job:${id}`) : undefined;
    if (job?.status !== "running") return;
    const key = `job:${job.jobId}`;
    if (job.inflight === job.done) job.batchesRetried++;
    job.inflight = job.done;
    job.batches++;
    await this.#storage.put(key, job);
    try {
      await this.#batch(job);
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof ConflictError)) throw error;
      // The knowledge base is gone (or replaced): the job cannot finish.
      const { body } = mapError(error);
      job.status = "failed";
      job.error = { code: body.error.code, message: body.error.message };
      job.completedAt = new Date().toISOString();
    }
    job.inflight = null;
    await this.#storage.put(key, job);
    if (job.status === "running") await this.#storage.setAlarm(Date.now());
  }

  #target(job: JobState): IngestTarget {
    const { knowledge, rag } = this.#app();
    return {
      source: knowledge,
      destination: rag,
      domainId: job.domainId,
      generation: job.generation,
    };
  }

  /**
   * The next batch of the ingestion step: up to `BATCH_FILES` files or `BATCH_BYTES` bytes read,
   * committed at once; the job's counters grow only with a committed batch.
   */
  async #batch(job: JobState): Promise<void> {
    const target = this.#target(job);
    const files = await this.#files(job, job.done, job.done + BATCH_FILES);
    const { taken, last } = await ingestBatch(
      target,
      files,
      {
        first: job.done === 0,
        endsRun: job.done + files.length >= job.total,
        keep: async () => (await this.#files(job, 0, job.total)).map((f) => f.path),
        clearExisting: job.clearExisting,
        force: job.force,
        maxBytes: BATCH_BYTES,
        maxErrors: MAX_ERRORS,
      },
      job,
    );
    job.done += taken;
    const claim = new IngestionClaim(target);
    // Renews the claim on the knowledge base (its lease) as batches go on.
    if (!last) return claim.renew();
    await claim.finish(job);
    job.status = "completed";
    job.completedAt = new Date().toISOString();
  }
}

/** The body of the internal `POST /start`. */
export interface StartInput {
  domain: string;
  clearExisting?: boolean;
  force?: boolean;
}
