/**
 * {@link ingestBatch}: the one ingestion step. Every scheduler runs ingestion through it — the
 * in-process `KnowledgeIngestionManager` (a whole run as one batch), the Worker's
 * `IngestionRunner` Durable Object (a bounded batch per alarm) — and so will any other (a browser
 * Web Worker). See `scheduler.ts` for what a scheduler adds around it.
 * @module
 */
import { errorMessage, NotFoundError, StaleIndexError } from "../../errors.ts";
import { forgetTarget, targetGone } from "./gone.ts";
import type {
  IngestCounters,
  IngestFile,
  IngestFileOutcome,
  IngestionError,
  IngestTarget,
} from "./types.ts";

/** Options of {@link ingestBatch}. */
export interface IngestBatchOptions {
  /** This batch begins the run: with `force`, the index is rebuilt from nothing, not read. */
  first: boolean;
  /** The files given are the run's last: a batch that takes all of them ends the run. */
  endsRun: boolean;
  /**
   * The paths of every file of the run. Read only by the batch that ends it, and only with
   * `clearExisting`: every other indexed file then leaves the index with that batch's commit.
   */
  keep: () => Iterable<string> | Promise<Iterable<string>>;
  /** Default true: files gone from the source lose their chunks (with the last batch). */
  clearExisting?: boolean;
  /** Re-chunk and re-embed every file, unchanged or not. */
  force?: boolean;
  /** Aborting rejects with the signal's reason; nothing of the batch is committed. */
  signal?: AbortSignal;
  /** Files read and chunked at once (default 1). */
  concurrency?: number;
  /**
   * No new file is begun once the files read so far hold this many bytes (a batch takes at least
   * one file; with `concurrency` > 1, the files already begun are finished). Default: no limit.
   */
  maxBytes?: number;
  /** Errors kept in `counters.errors` at most (default: all); a failed file is an error anyway. */
  maxErrors?: number;
  /** Called (and awaited) after each file: progress, lease renewal. A throw fails the batch. */
  onFile?: (outcome: IngestFileOutcome) => void | Promise<void>;
  /**
   * The index versions the batch may begin from: the version the run's previous batch
   * committed (and, for a batch begun again after a crash, the `commitId` its earlier attempt
   * gave). An index found at another version means another writer committed since: the batch
   * rejects with `StaleIndexError` before reading a file, and the run must plan again. Absent:
   * any version (a run's first batch).
   */
  from?: readonly string[];
  /** The version the batch's commit gives the index (default: a random id). */
  commitId?: string;
}

/** What a batch did. */
export interface IngestBatchOutcome {
  /** Files of the list the batch took (a prefix of it): the next batch starts after them. */
  taken: number;
  /** The batch ended the run (`endsRun`, and it took every file given). */
  last: boolean;
  /** The index version the batch's commit made: the next batch begins from it. */
  version: string;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return !!signal?.aborted || (error as { name?: string })?.name === "AbortError";
}

/**
 * The counters of a run that has done nothing yet.
 * @example
 * const job = { jobId, ...emptyCounters() };
 */
export function emptyCounters(): IngestCounters {
  return {
    filesProcessed: 0,
    filesSkipped: 0,
    filesUnchanged: 0,
    chunksCreated: 0,
    filesDeleted: 0,
    chunksRemoved: 0,
    errors: [],
  };
}

/**
 * Ingests a batch of files of one run, atomically: reads each file whose checksum or chunking
 * fingerprint differs from what is indexed (all of them with `force`), chunks and embeds it into
 * a `DomainUpdate`, and commits the update once; then adds the batch's counts to `counters`.
 * The commit is exclusive: made over the index version the batch planned against, never stacked
 * over another writer's commit — when one landed meanwhile (or the index is not at a version of
 * `from`), the batch rejects with `StaleIndexError`, commits nothing, and the run plans again.
 * A file that fails (bad content, listed but missing) is recorded in the errors and keeps its
 * previous chunks; the batch goes on. The batch rejects, committing nothing and leaving
 * `counters` as they were, when it is aborted, when `onFile` throws, when the index fails, or
 * when the knowledge base is found gone (deleted, or a newer generation): then what the index
 * holds for the run's generation is removed too, and a `NotFoundError` says so.
 * @example
 * const counters = emptyCounters();
 * const files = await source.listFiles("support");
 * await ingestBatch({ source, destination, domainId: "support", generation: info.generation },
 *   files, { first: true, endsRun: true, keep: () => files.map((f) => f.path) }, counters);
 */
export async function ingestBatch(
  target: IngestTarget,
  files: readonly IngestFile[],
  options: IngestBatchOptions,
  counters: IngestCounters,
): Promise<IngestBatchOutcome> {
  const { source, destination, domainId } = target;
  const { signal, force = false } = options;
  const concurrency = options.concurrency ?? 1;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  signal?.throwIfAborted();
  const update = await destination.beginUpdate(domainId, {
    generation: target.generation,
    fresh: force && options.first,
    exclusive: true,
    ...(options.commitId !== undefined ? { commitId: options.commitId } : {}),
  });
  if (options.from && !options.from.includes(update.version)) {
    await update.abort();
    throw new StaleIndexError(
      `The search index of knowledge base '${domainId}' moved on since this run's last batch (it is at version '${update.version}', the run left it at '${options.from[0]}'): plan the run again`,
    );
  }
  const tally = { processed: 0, skipped: 0, unchanged: 0, chunks: 0 };
  const errors: IngestionError[] = [];
  let next = 0;
  let bytes = 0;
  let failure: { error: unknown } | undefined;

  const one = async (file: IngestFile): Promise<void> => {
    signal?.throwIfAborted();
    const indexed = update.indexed.get(file.path);
    let chunks = 0;
    let outcome: IngestFileOutcome["outcome"];
    if (
      !force &&
      indexed?.checksum === file.checksum &&
      indexed.fingerprint === destination.fingerprint
    ) {
      tally.unchanged++;
      outcome = "unchanged";
    } else {
      try {
        // The version listed; a file changed since is read as it is now, and recorded with the
        // checksum of those bytes: it must not pass for the listed version in the next run.
        const listed = await source.getFile(domainId, file.path, { checksum: file.checksum });
        const content = listed ?? (await source.getFile(domainId, file.path));
        if (content === null)
          throw new NotFoundError(`File '${file.path}' is listed but its content is missing`);
        bytes += content.length;
        chunks = await update.putFile(file.path, content, {
          ...(listed ? { checksum: file.checksum } : {}),
          metadata: file.metadata,
          ...(signal ? { signal } : {}),
        });
        outcome = chunks > 0 ? "processed" : "skipped";
        if (chunks > 0) {
          tally.processed++;
          tally.chunks += chunks;
        } else tally.skipped++;
      } catch (error) {
        if (isAbort(error, signal)) throw error;
        // A file missing because its knowledge base is: the run cannot go on.
        if (error instanceof NotFoundError && (await targetGone(target)))
          throw new NotFoundError(
            `Knowledge base '${domainId}' was deleted while it was ingested`,
            {
              cause: error,
            },
          );
        // The file's previous chunks (if any) stay: nothing else is lost.
        errors.push({ file: file.path, error: errorMessage(error) });
        outcome = "error";
      }
    }
    await options.onFile?.({ path: file.path, chunks, outcome });
  };

  // Each worker begins the next file while the batch holds fewer than `maxBytes` bytes read; a
  // failure stops them all from beginning more, and the update is dropped only once none is busy.
  const worker = async (): Promise<void> => {
    while (!failure && next < files.length && (next === 0 || bytes < maxBytes)) {
      try {
        await one(files[next++] as IngestFile);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  let last = false;
  let version = "";
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    if (failure) throw failure.error;
    signal?.throwIfAborted();
    last = options.endsRun && next === files.length;
    if (last && (options.clearExisting ?? true)) update.removeOthers(await options.keep());
    const stats = await update.commit();
    version = stats.version;
    counters.filesDeleted += stats.filesRemoved;
    counters.chunksRemoved += stats.chunksRemoved;
  } catch (error) {
    await update.abort();
    // Whatever else fails here, the batch's own error is the one to report.
    if (error instanceof NotFoundError && (await targetGone(target).catch(() => false)))
      await forgetTarget(target).catch(() => {});
    throw error;
  }
  counters.filesProcessed += tally.processed;
  counters.filesSkipped += tally.skipped;
  counters.filesUnchanged += tally.unchanged;
  counters.chunksCreated += tally.chunks;
  const maxErrors = options.maxErrors ?? Number.POSITIVE_INFINITY;
  for (const e of errors) if (counters.errors.length < maxErrors) counters.errors.push(e);
  return { taken: next, last, version };
}
