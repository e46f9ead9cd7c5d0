/**
 * Ingestion off the main thread: {@link serveIngestion} runs inside a Web Worker and answers the
 * jobs a {@link WorkerIngestionScheduler} posts from the page, running the one ingestion step
 * (`KnowledgeIngestionManager.ingest`) with progress after each file. The manager is the
 * caller's, built in the worker over IndexedDB (so this entry carries no ingestion code): the
 * index it commits is in IndexedDB, and the next visit searches it without ingesting again.
 * @module
 */
import { BotknobsError, errorMessage } from "../../core/errors.ts";
import type { IngestionJobOptions } from "../../core/knowledge/ingest/scheduler.ts";
import type { IngestionProgress, IngestionResult } from "../../core/knowledge/ingestion.ts";

/** A job posted to the worker. */
export interface IngestRequestMessage {
  botknobs: "ingest";
  job: string;
  domainId: string;
  options: IngestionJobOptions;
}

/** What the worker posts back about a job. */
export type IngestReplyMessage =
  | { botknobs: "progress"; job: string; progress: IngestionProgress }
  | { botknobs: "done"; job: string; result: Record<string, unknown> }
  | { botknobs: "failed"; job: string; error: { code: string; message: string } };

/** The part of a worker's global scope (or a `MessagePort`) the two sides use. */
export interface MessageEndpointLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

/** The ingestion a worker runs: a `KnowledgeIngestionManager` (its `ingest`). */
export interface IngestionRunnerLike {
  ingest(
    domainId: string,
    options: IngestionJobOptions & { onProgress?: (progress: IngestionProgress) => void },
  ): Promise<IngestionResult>;
}

/** Options of {@link serveIngestion}. */
export interface ServeIngestionOptions {
  /** The manager, or a function making it on the first job (open IndexedDB lazily). */
  manager: IngestionRunnerLike | (() => IngestionRunnerLike | Promise<IngestionRunnerLike>);
  /** Default: the worker's global scope (`self`). */
  scope?: MessageEndpointLike;
}

const isRequest = (data: unknown): data is IngestRequestMessage =>
  typeof data === "object" &&
  data !== null &&
  (data as { botknobs?: unknown }).botknobs === "ingest";

/**
 * Answers ingestion jobs in this worker; returns the stop.
 * @example
 * // ingest.worker.ts
 * const store = new IndexedDBBlobStore({ dbName: "my-app" });
 * const source = new BlobKnowledgeBackend({ store });
 * const destination = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }) });
 * serveIngestion({ manager: new KnowledgeIngestionManager({ source, destination }) });
 */
export function serveIngestion(options: ServeIngestionOptions): () => void {
  const scope = options.scope ?? (globalThis as unknown as MessageEndpointLike);
  let manager: Promise<IngestionRunnerLike> | undefined;
  const managerOf = (): Promise<IngestionRunnerLike> => {
    const given = options.manager;
    manager ??= Promise.resolve(typeof given === "function" ? given() : given);
    return manager;
  };
  const onMessage = (event: { data: unknown }): void => {
    const request = event.data;
    if (!isRequest(request)) return;
    const { job } = request;
    const post = (reply: IngestReplyMessage): void => scope.postMessage(reply);
    void managerOf()
      .then((m) =>
        m.ingest(request.domainId, {
          ...request.options,
          onProgress: (progress) => post({ botknobs: "progress", job, progress }),
        }),
      )
      .then(
        (result) => post({ botknobs: "done", job, result: result.toDict() }),
        (error: unknown) =>
          post({
            botknobs: "failed",
            job,
            error: {
              code: error instanceof BotknobsError ? error.code : "INTERNAL",
              message: errorMessage(error),
            },
          }),
      );
  };
  scope.addEventListener("message", onMessage);
  return () => scope.removeEventListener("message", onMessage);
}
