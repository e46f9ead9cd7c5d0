/**
 * The scheduler port: where ingestion runs happen. Types only.
 *
 * Every run, wherever it happens, is made of batches of the one ingestion step (`ingestBatch` in
 * `batch.ts`) framed by the run's status bookkeeping (`IngestionClaim` in `claim.ts`). A
 * scheduler decides the rest: where each batch runs, how many files it gets, and where the job's
 * progress is kept between batches. Two implement it today:
 *
 * - **In process** (`InProcessIngestionScheduler` in `src/server/jobs.ts`, over
 *   `KnowledgeIngestionManager`): the whole run is one batch with one commit, so it is atomic;
 *   jobs live in the memory of the process or isolate, and the host keeps itself alive until the
 *   run settles (`running`, handed to `waitUntil` on Workers).
 * - **Durable Object** (`worker/ingestion-runner.ts`'s `IngestionRunner`, reached through
 *   `runnerScheduler` in `worker/ingest-scheduler.ts`): a bounded batch per alarm (64 files or
 *   4 MiB), each committed and then recorded in the object's storage; a crash resumes from the
 *   last recorded batch and files of committed batches are never processed again.
 *
 * A third (say, a browser Web Worker keeping its jobs in IndexedDB) implements this interface and
 * calls the same step, with the same `first`/`endsRun`/`keep` contract: it adds no file loop.
 * @module
 */

/** Where a job stands. */
export type IngestionJobStatus = "running" | "completed" | "failed";

/** Options of {@link IngestionScheduler.schedule}: those of `KnowledgeIngestionManager.ingest`. */
export interface IngestionJobOptions {
  /** Default true: files gone from the source lose their chunks. */
  clearExisting?: boolean;
  /** Re-chunk and re-embed every file. */
  force?: boolean;
}

/**
 * One job as a scheduler reports it: the wire form of `GET /kb/{domain}/ingest/{job}`, the same
 * whichever scheduler ran it.
 */
export interface IngestionJobDict {
  job_id: string;
  domain_id: string;
  status: IngestionJobStatus;
  created_at: string;
  completed_at: string | null;
  /**
   * Files done (in process) or committed (in batches) of the files listed at the start; and,
   * from schedulers that count them as they go (in process), the chunks made so far.
   */
  progress: { done: number; total: number; chunks?: number };
  /** The run's outcome once completed: `IngestionResult.toDict()`'s fields (`status` ready or error). */
  result: Record<string, unknown> | null;
  /** Why the job failed (the knowledge base vanished, the index threw…). */
  error: { code: string; message: string } | null;
  /** Batches run, for schedulers that run in batches. */
  batches?: number;
  /** Batches begun again after a crash, for schedulers that resume. */
  batches_retried?: number;
  /** Times the job planned again because another commit reached the index first (batch schedulers). */
  replans?: number;
  /**
   * While the job waits for another run's lease on the knowledge base (a run in another process
   * or isolate): when that lease runs out unless its holder renews it. Null otherwise.
   */
  waiting?: { until: string } | null;
}

/** A job just scheduled. */
export interface ScheduledIngestion {
  job: IngestionJobDict;
  /**
   * In-process schedulers: settles (never rejects) when the run is over; the host must stay
   * alive until then (`waitUntil`). Absent where the run lives elsewhere (a Durable Object).
   */
  running?: Promise<void>;
}

/**
 * Where ingestion runs happen: starts them and says how they stand. One run of a domain at a
 * time, wherever runs happen: each run takes the knowledge base's ingestion lease (in the
 * knowledge backend) before it lists the files, and a job whose run finds the lease held waits
 * for it (`waiting`, status `running`), then runs — or, when the holder keeps it past the wait
 * (10 minutes by default), fails with a `CONFLICT` error naming when the holder's lease runs
 * out. Scheduling while a job of the domain is running or waiting here may answer that job.
 * @example
 * const { job, running } = await scheduler.schedule("support", { force: true });
 * if (running) ctx.waitUntil(running);
 * const later = await scheduler.status("support", job.job_id);
 */
export interface IngestionScheduler {
  /**
   * Starts a run of `domainId`, or answers a job of it already running or waiting (the runs of
   * one domain never overlap); resolves at once, not when the run is over.
   */
  schedule(domainId: string, options?: IngestionJobOptions): Promise<ScheduledIngestion>;
  /** A job of `domainId`, or null when this scheduler knows no such job. */
  status(domainId: string, jobId: string): Promise<IngestionJobDict | null>;
  /** The jobs of `domainId` this scheduler still knows, newest first. */
  list(domainId: string): Promise<IngestionJobDict[]>;
}
