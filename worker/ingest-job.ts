/**
 * The state of one ingestion job of the {@link IngestionRunner} Durable Object, as kept in its
 * storage, and its wire form (the same shape as `GET /kb/{domain}/ingest/{job}` on Node).
 * @module
 */
import type { IngestCounters } from "../src/core/knowledge/ingest/types.ts";
import type { JsonObject } from "../src/core/validate.ts";

/** One file to ingest, as listed when the job started. */
export interface JobFile {
  path: string;
  checksum: string;
  metadata: JsonObject;
}

/** One job, as stored under `job:<id>`; written after each batch, atomically with its progress. */
export interface JobState extends IngestCounters {
  jobId: string;
  domainId: string;
  /** The knowledge base's generation when the job started: a newer one is never written. */
  generation: string;
  /** The job's owner token of the knowledge base's ingestion lease (the same for every batch). */
  owner: string;
  /** Until when the job waits for another run's lease before it fails (ISO time). */
  waitUntil: string;
  /** While the job waits for another run's lease: when that lease runs out unless renewed. */
  waiting: { until: string } | null;
  /** The files are listed (under the lease): batches run. False until then, and after a re-plan. */
  planned: boolean;
  /** The index version the last committed batch made (null before the plan's first batch). */
  indexVersion: string | null;
  /** Times the job planned again because another writer's commit reached the index first. */
  replans: number;
  clearExisting: boolean;
  force: boolean;
  status: "running" | "completed" | "failed";
  createdAt: string;
  completedAt: string | null;
  /** Files listed when the job was planned. */
  total: number;
  /** Files whose batch is committed to the index: the job resumes from here. */
  done: number;
  /** Pages of `FILES_PAGE` files, under `files:<jobId>:<n>`. */
  pages: number;
  /** Alarms that ran a batch (each a bounded batch of files). */
  batches: number;
  /**
   * Batches begun again after a crash: the file index a batch starts at is recorded before it
   * runs, so an alarm that finds it still set knows the previous one died before committing.
   */
  batchesRetried: number;
  /** The start of the batch under way, or null between batches. */
  inflight: number | null;
  /** Why the job failed (the knowledge base vanished…). */
  error: { code: string; message: string } | null;
}

/** Files per storage value of a job's file list. */
export const FILES_PAGE = 256;

/**
 * The wire form of a job: `progress` counts files committed, `result` is the run's outcome once
 * it completed, plus the runner's own counts (`batches`, `batches_retried`).
 * @example
 * return Response.json(jobDict(job), { status: 202 });
 */
export function jobDict(job: JobState): Record<string, unknown> {
  const finished = job.status === "completed";
  return {
    job_id: job.jobId,
    domain_id: job.domainId,
    status: job.status,
    created_at: job.createdAt,
    completed_at: job.completedAt,
    progress: { done: job.done, total: job.total },
    batches: job.batches,
    batches_retried: job.batchesRetried,
    replans: job.replans ?? 0,
    waiting: job.waiting ?? null,
    result: finished
      ? {
          domain_id: job.domainId,
          files_processed: job.filesProcessed,
          chunks_created: job.chunksCreated,
          files_skipped: job.filesSkipped,
          files_unchanged: job.filesUnchanged,
          files_deleted: job.filesDeleted,
          chunks_removed: job.chunksRemoved,
          replans: job.replans ?? 0,
          errors: job.errors,
          started_at: job.createdAt,
          completed_at: job.completedAt,
          status: job.errors.length === 0 ? "ready" : "error",
          success: job.errors.length === 0,
          // The index revision the run's last batch committed: what a bot config may pin.
          revision: job.indexVersion,
        }
      : null,
    error: job.error,
  };
}
