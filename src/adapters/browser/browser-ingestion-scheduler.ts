/**
 * {@link WorkerIngestionScheduler}: the `IngestionScheduler` port in a page, running each job in a
 * Web Worker that calls {@link serveIngestion}; progress arrives as events after each file, and
 * the main thread never chunks or indexes.
 * @module
 */
import type {
  IngestionJobDict,
  IngestionJobOptions,
  IngestionScheduler,
  ScheduledIngestion,
} from "../../core/knowledge/ingest/scheduler.ts";
import type { IngestReplyMessage, MessageEndpointLike } from "./browser-ingestion-worker.ts";

/** Jobs kept per domain (the newest). */
const KEPT = 20;

interface Job {
  dict: IngestionJobDict;
  done: Promise<IngestionJobDict>;
  settle: (job: IngestionJobDict) => void;
}

/**
 * Schedules ingestion in a Web Worker. One job per domain at a time here (scheduling while one
 * runs answers it); across tabs the knowledge base's ingestion lease keeps runs apart.
 * @example
 * const worker = new Worker(new URL("./ingest.worker.ts", import.meta.url), { type: "module" });
 * const scheduler = new WorkerIngestionScheduler(worker);
 * scheduler.onProgress((job) => bar.value = job.progress.done / job.progress.total);
 * const { job } = await scheduler.schedule("docs");
 * const finished = await scheduler.done(job.job_id);
 */
export class WorkerIngestionScheduler implements IngestionScheduler {
  readonly #worker: MessageEndpointLike;
  readonly #jobs = new Map<string, Job>();
  readonly #listeners = new Set<(job: IngestionJobDict) => void>();
  readonly #onMessage = (event: { data: unknown }): void => this.#reply(event.data);

  constructor(worker: MessageEndpointLike) {
    this.#worker = worker;
    worker.addEventListener("message", this.#onMessage);
  }

  schedule(domainId: string, options: IngestionJobOptions = {}): Promise<ScheduledIngestion> {
    for (const job of this.#jobs.values())
      if (job.dict.domain_id === domainId && job.dict.status === "running")
        return Promise.resolve({
          job: structuredClone(job.dict),
          running: job.done.then(() => {}),
        });
    const dict: IngestionJobDict = {
      job_id: crypto.randomUUID(),
      domain_id: domainId,
      status: "running",
      created_at: new Date().toISOString(),
      completed_at: null,
      progress: { done: 0, total: 0, chunks: 0 },
      result: null,
      error: null,
    };
    let settle: (job: IngestionJobDict) => void = () => {};
    const done = new Promise<IngestionJobDict>((resolve) => {
      settle = resolve;
    });
    this.#jobs.set(dict.job_id, { dict, done, settle });
    this.#prune(domainId);
    this.#worker.postMessage({ botknobs: "ingest", job: dict.job_id, domainId, options });
    return Promise.resolve({ job: structuredClone(dict), running: done.then(() => {}) });
  }

  status(domainId: string, jobId: string): Promise<IngestionJobDict | null> {
    const job = this.#jobs.get(jobId);
    return Promise.resolve(
      job && job.dict.domain_id === domainId ? structuredClone(job.dict) : null,
    );
  }

  list(domainId: string): Promise<IngestionJobDict[]> {
    const jobs = [...this.#jobs.values()].filter((j) => j.dict.domain_id === domainId);
    return Promise.resolve(jobs.reverse().map((j) => structuredClone(j.dict)));
  }

  /** The job once it completed or failed (never rejects). */
  done(jobId: string): Promise<IngestionJobDict> {
    const job = this.#jobs.get(jobId);
    if (!job) return Promise.reject(new Error(`No ingestion job '${jobId}' here`));
    return job.done;
  }

  /** Calls `listener` with the job after each file, and when it ends; returns the unsubscribe. */
  onProgress(listener: (job: IngestionJobDict) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening to the worker (terminating it is the caller's). */
  close(): void {
    this.#worker.removeEventListener("message", this.#onMessage);
  }

  #reply(data: unknown): void {
    const reply = data as IngestReplyMessage;
    const job = typeof reply?.job === "string" ? this.#jobs.get(reply.job) : undefined;
    if (job?.dict.status !== "running") return;
    const { dict } = job;
    if (reply.botknobs === "progress") {
      const { done, total, chunks } = reply.progress;
      // A run that plans again (another commit came first) counts from its new plan.
      const before = done === 1 ? 0 : (dict.progress.chunks ?? 0);
      dict.progress = { done, total, chunks: before + chunks };
    } else if (reply.botknobs === "done" || reply.botknobs === "failed") {
      dict.status = reply.botknobs === "done" ? "completed" : "failed";
      dict.completed_at = new Date().toISOString();
      if (reply.botknobs === "done") dict.result = reply.result;
      else dict.error = reply.error;
    } else return;
    for (const listener of this.#listeners) listener(structuredClone(dict));
    if (dict.status !== "running") job.settle(structuredClone(dict));
  }

  #prune(domainId: string): void {
    const ids = [...this.#jobs.values()]
      .filter((j) => j.dict.domain_id === domainId && j.dict.status !== "running")
      .map((j) => j.dict.job_id);
    for (const id of ids.slice(0, Math.max(0, ids.length - KEPT))) this.#jobs.delete(id);
  }
}
