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
 * A job holds the knowledge base's ingestion lease (in the knowledge backend, shared with every
 * process and isolate over the bucket) under a token kept with it: it lists the files only once
 * it has the lease (while another run holds it, the job waits in its alarms), renews it before
 * each batch, and commits each batch over the index version the previous one left; a batch that
 * finds the index moved by another writer plans the job again (`replans`) instead of stacking
 * its files over that writer's.
 *
 * Each batch is one call of the core's ingestion step (`ingestBatch`, which the in-process
 * `KnowledgeIngestionManager` runs as one batch for a whole run): this object only chooses the
 * batches, keeps the job and its progress, and arms the alarms (the Durable Object implementation
 * of the `IngestionScheduler` port, reached through `runnerScheduler` in `ingest-scheduler.ts`).
 * @module
 */
import type { DurableObjectState } from "@cloudflare/workers-types/index.ts";
import {
  ConflictError,
  LeaseHeldError,
  NotFoundError,
  StaleIndexError,
} from "../src/core/errors.ts";
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
/** How long a job waits for another run's lease on its knowledge base before it fails. */
export const LEASE_WAIT_MS: number = 10 * 60_000;
/** How often a waiting job tries the lease again (sooner when the holder's lease runs out). */
const LEASE_POLL_MS = 2000;

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
   * Starts a job: takes the knowledge base's ingestion lease, lists the files, records them and
   * the job, arms the alarm. While another run (another process or isolate sharing the store)
   * holds the lease, the job is recorded as waiting and its alarms try again (up to
   * `LEASE_WAIT_MS`). A job already running for the domain is answered instead of a second one.
   */
  async #start(input: StartInput): Promise<JobState> {
    const currentId = await this.#storage.get<string>("current");
    const current = currentId ? await this.#storage.get<JobState>(`job:${currentId}`) : undefined;
    if (current?.status === "running") return current;
    const { knowledge } = this.#app();
    const info = await knowledge.getInfo(input.domain);
    if (!info) throw new NotFoundError(`Knowledge base '${input.domain}' does not exist`);
    const now = Date.now();
    const job: JobState = {
      jobId: crypto.randomUUID(),
      domainId: input.domain,
      generation: info.generation,
      owner: crypto.randomUUID(),
      waitUntil: new Date(now + LEASE_WAIT_MS).toISOString(),
      waiting: null,
      planned: false,
      indexVersion: null,
      replans: 0,
      clearExisting: input.clearExisting ?? true,
      force: input.force ?? false,
      status: "running",
      createdAt: new Date(now).toISOString(),
      completedAt: null,
      total: 0,
      done: 0,
      pages: 0,
      ...emptyCounters(),
      batches: 0,
      batchesRetried: 0,
      inflight: null,
      error: null,
    };
    await this.#plan(job);
    await this.#storage.put({ current: job.jobId, [`job:${job.jobId}`]: job });
    await this.#storage.setAlarm(this.#next(job));
    return job;
  }

  /** When the job's next alarm is due: at once, or — while it waits — soon or at the lease's end. */
  #next(job: JobState): number {
    const now = Date.now();
    if (!job.waiting) return now;
    return Math.max(now, Math.min(now + LEASE_POLL_MS, Date.parse(job.waiting.until) + 50));
  }

  /**
   * Plans the job under the lease: takes it (or finds it still the job's), lists the files as they
   * are now and records them; the batches then run from the first. While another run holds the
   * lease the job only notes it (`waiting`); once `waitUntil` has passed that is a
   * `LeaseHeldError`. Returns whether the job is planned.
   */
  async #plan(job: JobState): Promise<boolean> {
    const claim = new IngestionClaim(this.#target(job), { owner: job.owner });
    try {
      await claim.claim();
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || Date.now() >= Date.parse(job.waitUntil))
        throw error;
      job.waiting = { until: error.until };
      return false;
    }
    job.waiting = null;
    const files: JobFile[] = (await this.#app().knowledge.listFiles(job.domainId)).map((f) => ({
      path: f.path,
      checksum: f.checksum,
      metadata: f.metadata,
    }));
    const pages = Math.ceil(files.length / FILES_PAGE);
    const entries: Record<string, unknown> = {};
    for (let p = 0; p < pages; p++)
      entries[`files:${job.jobId}:${p}`] = files.slice(p * FILES_PAGE, (p + 1) * FILES_PAGE);
    // At most 128 keys per put: the pages in groups; the job (which names them) is put after.
    const keys = Object.keys(entries);
    for (let i = 0; i < keys.length; i += 100)
      await this.#storage.put(
        Object.fromEntries(keys.slice(i, i + 100).map((k) => [k, entries[k]])),
      );
    // Pages of an earlier plan beyond this one's.
    const stale = Array.from({ length: Math.max(0, job.pages - pages) }, (_, i) => i + pages);
    for (let i = 0; i < stale.length; i += 100)
      await this.#storage.delete(stale.slice(i, i + 100).map((p) => `files:${job.jobId}:${p}`));
    Object.assign(job, emptyCounters(), {
      planned: true,
      total: files.length,
      pages,
      done: 0,
      indexVersion: null,
    });
    return true;
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

  /** One batch of the current job (or its plan); arms the next alarm while files remain. */
  async alarm(): Promise<void> {
    const id = await this.#storage.get<string>("current");
    const job = id ? await this.#storage.get<JobState>(`job:${id}`) : undefined;
    if (job?.status !== "running") return;
    const key = `job:${job.jobId}`;
    // A job recorded before jobs held the lease: it takes one, and plans again under it.
    job.owner ??= crypto.randomUUID();
    job.waitUntil ??= new Date(Date.now() + LEASE_WAIT_MS).toISOString();
    job.replans ??= 0;
    try {
      if (!job.planned) await this.#plan(job);
      else {
        if (job.inflight === job.done) job.batchesRetried++;
        job.inflight = job.done;
        job.batches++;
        await this.#storage.put(key, job);
        await this.#batch(job);
      }
    } catch (error) {
      if (error instanceof StaleIndexError) {
        // Another writer's commit reached the index first: list the files again, against it.
        job.replans++;
        job.planned = false;
      } else if (error instanceof NotFoundError || error instanceof ConflictError) {
        // The knowledge base is gone (or replaced), or another run holds its lease: the job
        // cannot finish.
        const { body } = mapError(error);
        job.status = "failed";
        job.error = { code: body.error.code, message: body.error.message };
        job.completedAt = new Date().toISOString();
      } else throw error;
    }
    job.inflight = null;
    await this.#storage.put(key, job);
    if (job.status === "running") await this.#storage.setAlarm(this.#next(job));
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
   * committed at once over the version the job's last batch left the index at (its own retried
   * commit aside: `StaleIndexError` otherwise); the job's counters grow only with a committed
   * batch. The lease is renewed first: a job whose lease another run took over stops.
   */
  async #batch(job: JobState): Promise<void> {
    const target = this.#target(job);
    const claim = new IngestionClaim(target, { owner: job.owner });
    await claim.renew(true);
    const files = await this.#files(job, job.done, job.done + BATCH_FILES);
    // Named by its place in the plan: a retry after a crash knows its own earlier commit.
    const commitId = `${job.jobId}:${job.replans}:${job.done}`;
    const { taken, last, version } = await ingestBatch(
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
        commitId,
        ...(job.indexVersion !== null ? { from: [job.indexVersion, commitId] } : {}),
      },
      job,
    );
    job.done += taken;
    job.indexVersion = version;
    if (!last) return;
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
