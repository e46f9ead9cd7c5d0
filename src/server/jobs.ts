/**
 * Ingestion jobs: `POST /kb/{domain}/ingest` starts one in the background and answers 202 with
 * its id; `GET /kb/{domain}/ingest/{job}` reads its progress and result. Jobs live in the
 * memory of the process (or Worker isolate) that runs them; the last 1,000 are kept. Runs of one
 * domain go one after another: across processes through the knowledge base's ingestion lease (a
 * job whose run finds another process's run holding it waits, `waiting`, then runs); in this
 * process they also queue here, so that a request for a domain that already has a run waiting
 * to start joins that run (it answers with the waiting job's id) instead of queueing another.
 * {@link InProcessIngestionScheduler} is the in-process implementation of the core's
 * `IngestionScheduler` port over them.
 * @module
 */
import type {
  IngestionJobDict,
  IngestionJobOptions,
  IngestionScheduler,
  ScheduledIngestion,
} from "../core/knowledge/ingest/scheduler.ts";
import type { IngestionResult, KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import { mapError } from "./errors.ts";

/**
 * Where a job stands.
 * @example
 * if (job.status === JobStatus.COMPLETED) console.log(job.result?.chunksCreated);
 */
export const JobStatus = {
  RUNNING: "running",
  COMPLETED: "completed",
  FAILED: "failed",
} as const;
/** One of the {@link JobStatus} values. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** One ingestion run. */
export interface IngestJob {
  jobId: string;
  domainId: string;
  status: JobStatus;
  createdAt: Date;
  completedAt: Date | null;
  /** Files done of the files listed at the start, and the chunks made from them so far. */
  progress: { done: number; total: number; chunks: number };
  /** The run's result once it completed (its own `status` says `ready` or `error`). */
  result: IngestionResult | null;
  /** Why the run failed (the knowledge base vanished, the destination threw…). */
  error: { code: string; message: string } | null;
  /** While the run waits for another run's lease: when that lease runs out unless renewed. */
  waiting: { until: string } | null;
}

/**
 * The wire form of an {@link IngestJob}.
 * @example
 * return c.json(jobToDict(job), 202);
 */
export function jobToDict(job: IngestJob): IngestionJobDict {
  return {
    job_id: job.jobId,
    domain_id: job.domainId,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    progress: { ...job.progress },
    result: job.result?.toDict() ?? null,
    error: job.error,
    waiting: job.waiting,
  };
}

/** A run requested but not started yet (another run of its domain is going on). */
interface Waiting {
  job: IngestJob;
  options: { clearExisting?: boolean; force?: boolean };
  done: Promise<void>;
}

/**
 * The jobs of one server.
 * @example
 * const { job, done } = jobs.start(ingestion, "support", { clearExisting: true });
 * background(c, done);
 */
export class IngestJobs {
  readonly #jobs = new Map<string, IngestJob>();
  readonly #max: number;
  /** The last run of each domain (running or waiting): the next one starts after it. */
  readonly #tails = new Map<string, Promise<void>>();
  /** Runs not started yet, by domain and `clearExisting` (runs that differ there do not merge). */
  readonly #waiting = new Map<string, Waiting>();

  constructor(max = 1000) {
    this.#max = max;
  }

  /**
   * Starts a run, or queues it behind the domain's current one; when a run of the domain is
   * already waiting (with the same `clearExisting`), returns that one instead (made a `force`
   * run if this request asks for it). `done` settles (never rejects) when the run is over.
   */
  start(
    ingestion: KnowledgeIngestionManager,
    domainId: string,
    options: { clearExisting?: boolean; force?: boolean },
  ): { job: IngestJob; done: Promise<void> } {
    const key = `${domainId}\n${options.clearExisting ?? true}`;
    const waiting = this.#waiting.get(key);
    if (waiting) {
      if (options.force) waiting.options.force = true;
      return { job: waiting.job, done: waiting.done };
    }
    const job: IngestJob = {
      jobId: crypto.randomUUID(),
      domainId,
      status: JobStatus.RUNNING,
      createdAt: new Date(),
      completedAt: null,
      progress: { done: 0, total: 0, chunks: 0 },
      result: null,
      error: null,
      waiting: null,
    };
    this.#jobs.set(job.jobId, job);
    this.#evict();
    const before = this.#tails.get(domainId);
    const entry: Waiting = { job, options: { ...options }, done: Promise.resolve() };
    const run = (): Promise<void> => {
      if (this.#waiting.get(key) === entry) this.#waiting.delete(key);
      return this.#run(ingestion, job, entry.options);
    };
    const done = before ? before.then(run) : run();
    entry.done = done;
    if (before) this.#waiting.set(key, entry);
    this.#tails.set(domainId, done);
    void done.then(() => {
      if (this.#tails.get(domainId) === done) this.#tails.delete(domainId);
    });
    return { job, done };
  }

  #run(
    ingestion: KnowledgeIngestionManager,
    job: IngestJob,
    options: { clearExisting?: boolean; force?: boolean },
  ): Promise<void> {
    return Promise.resolve()
      .then(() =>
        ingestion.ingest(job.domainId, {
          ...options,
          onWait: (held) => {
            job.waiting = { until: held.until };
          },
          onProgress: (p) => {
            job.waiting = null;
            // A run that plans again (another commit came first) counts from its new plan.
            const before = p.done === 1 ? 0 : job.progress.chunks;
            job.progress = { done: p.done, total: p.total, chunks: before + p.chunks };
          },
        }),
      )
      .then(
        (result) => {
          job.result = result;
          job.status = JobStatus.COMPLETED;
        },
        (error: unknown) => {
          const { body } = mapError(error);
          job.error = { code: body.error.code, message: body.error.message };
          job.status = JobStatus.FAILED;
        },
      )
      .finally(() => {
        job.waiting = null;
        job.completedAt = new Date();
      });
  }

  /** A job of `domainId`, or undefined. */
  get(domainId: string, jobId: string): IngestJob | undefined {
    const job = this.#jobs.get(jobId);
    return job?.domainId === domainId ? job : undefined;
  }

  /** The jobs of one domain, newest first. */
  list(domainId: string): IngestJob[] {
    return [...this.#jobs.values()].filter((j) => j.domainId === domainId).reverse();
  }

  /** Drops the oldest finished jobs beyond the limit (running ones are kept). */
  #evict(): void {
    if (this.#jobs.size <= this.#max) return;
    for (const [id, job] of this.#jobs) {
      if (this.#jobs.size <= this.#max) return;
      if (job.status !== JobStatus.RUNNING) this.#jobs.delete(id);
    }
  }
}

/**
 * The in-process `IngestionScheduler`: each run is one `KnowledgeIngestionManager.ingest` (the
 * whole run one batch of the ingestion step, one commit: atomic), in this process or isolate,
 * with its job in {@link IngestJobs}. `running` must be kept alive by the host (`waitUntil`).
 * @example
 * const scheduler = new InProcessIngestionScheduler(ingestion);
 * const { job, running } = await scheduler.schedule("support");
 */
export class InProcessIngestionScheduler implements IngestionScheduler {
  readonly #ingestion: KnowledgeIngestionManager;
  readonly #jobs: IngestJobs;

  constructor(ingestion: KnowledgeIngestionManager, jobs: IngestJobs = new IngestJobs()) {
    this.#ingestion = ingestion;
    this.#jobs = jobs;
  }

  schedule(domainId: string, options: IngestionJobOptions = {}): Promise<ScheduledIngestion> {
    const { job, done } = this.#jobs.start(this.#ingestion, domainId, options);
    return Promise.resolve({ job: jobToDict(job), running: done });
  }

  status(domainId: string, jobId: string): Promise<IngestionJobDict | null> {
    const job = this.#jobs.get(domainId, jobId);
    return Promise.resolve(job ? jobToDict(job) : null);
  }

  list(domainId: string): Promise<IngestionJobDict[]> {
    return Promise.resolve(this.#jobs.list(domainId).map(jobToDict));
  }
}
