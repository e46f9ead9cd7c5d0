/**
 * The shapes the ingestion step (`ingestBatch`, in `batch.ts`) and its schedulers share: what a run reads
 * and writes, the files of a batch, the counters a run adds up, and one file's outcome.
 * @module
 */
import type { JsonObject } from "../../validate.ts";
import type { RAGKnowledgeBase } from "../search/knowledge-base.ts";
import type { KnowledgeResourceBackend } from "../store/types.ts";

/**
 * What one ingestion run reads and writes: the knowledge base `domainId` of `source`, as the
 * generation the run started on, into `destination`. Nothing is ever written for a newer
 * generation (a knowledge base deleted and created again under the same id).
 */
export interface IngestTarget {
  source: KnowledgeResourceBackend;
  destination: RAGKnowledgeBase;
  domainId: string;
  generation: string;
}

/** One file of a batch, as listed when the run started. */
export interface IngestFile {
  path: string;
  checksum: string;
  metadata: JsonObject;
}

/** One file that could not be ingested. */
export interface IngestionError {
  file: string;
  error: string;
}

/**
 * What a run adds up, batch after batch. A batch adds its counts only once it is committed, so
 * the counters always describe what the index holds.
 */
export interface IngestCounters {
  filesProcessed: number;
  filesSkipped: number;
  filesUnchanged: number;
  chunksCreated: number;
  filesDeleted: number;
  chunksRemoved: number;
  /** The files that failed, at most the `maxErrors` of `ingestBatch` (any at all make the run's status `error`). */
  errors: IngestionError[];
}

/** What became of one file of a batch. */
export interface IngestFileOutcome {
  path: string;
  /** Chunks made from the file (0 when unchanged, skipped or failed). */
  chunks: number;
  outcome: "processed" | "unchanged" | "skipped" | "error";
}
