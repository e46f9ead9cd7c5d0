/**
 * {@link KnowledgeIngestionManager}: from a knowledge backend's files to a searchable
 * {@link RAGKnowledgeBase}, incrementally and atomically.
 * @module
 */
import { type LeaseHeldError, NotFoundError, StaleIndexError, ValidationError } from "../errors.ts";
import { Event, EventType } from "../events/event.ts";
import type { EventBus } from "../events/types.ts";
import { validateBotId } from "../validate.ts";
import { ingestBatch } from "./ingest/batch.ts";
import { IngestionClaim } from "./ingest/claim.ts";
import type { IngestFileOutcome, IngestionError, IngestTarget } from "./ingest/types.ts";
import type { RAGKnowledgeBase } from "./search/knowledge-base.ts";
import { IngestionStatus } from "./store/models.ts";
import type { KnowledgeResourceBackend } from "./store/types.ts";

export type { IngestionError } from "./ingest/types.ts";

/** The topic ingestion events go to. */
export const INGESTION_TOPIC = "knowledge:ingestion";

/** Progress after each file: its outcome, and how far the run is. */
export interface IngestionProgress extends IngestFileOutcome {
  /** Files done so far, this one included. */
  done: number;
  total: number;
}

/** Options of {@link KnowledgeIngestionManager.ingest}. */
export interface IngestOptions {
  /**
   * Default true: afterwards the domain holds exactly the chunks of its current files (chunks of
   * deleted files go). False keeps chunks of files no longer in the source. Either way only this
   * domain is touched, and unchanged files are not re-chunked or re-embedded.
   */
  clearExisting?: boolean;
  /** Re-chunk and re-embed every file, changed or not. */
  force?: boolean;
  onProgress?: (progress: IngestionProgress) => void;
  /** Aborting leaves the knowledge base as it was before the run. */
  signal?: AbortSignal;
  /** Files read and chunked at once (default 4). */
  concurrency?: number;
  /** Told each time the run finds another run holding the knowledge base's lease and waits. */
  onWait?: (held: LeaseHeldError) => void;
}

/** The outcome of one ingestion. */
export class IngestionResult {
  readonly domainId: string;
  filesProcessed = 0;
  chunksCreated = 0;
  filesSkipped = 0;
  /** Files whose indexed chunks were already current. */
  filesUnchanged = 0;
  /** Files whose chunks were removed because the file is gone. */
  filesDeleted = 0;
  /** Times the run planned again because another commit reached the index first. */
  replans = 0;
  chunksRemoved = 0;
  readonly errors: IngestionError[] = [];
  readonly startedAt: Date = new Date();
  completedAt: Date | null = null;
  status: IngestionStatus = IngestionStatus.INGESTING;
  /** The source's version and checksum when the run started: pass either as `lastVersion` next time. */
  sourceVersion: string | null = null;
  sourceChecksum: string | null = null;
  /**
   * The search index's revision the run committed (an index commit id): what a bot config may
   * pin (`knowledge_pin`) to be searched as of it. Null until the run commits.
   */
  revision: string | null = null;

  constructor(domainId: string) {
    this.domainId = domainId;
  }

  /** True when no file failed. */
  get success(): boolean {
    return this.errors.length === 0;
  }

  get durationSeconds(): number | null {
    return this.completedAt ? (this.completedAt.getTime() - this.startedAt.getTime()) / 1000 : null;
  }

  toDict(): Record<string, unknown> {
    return {
      domain_id: this.domainId,
      files_processed: this.filesProcessed,
      chunks_created: this.chunksCreated,
      files_skipped: this.filesSkipped,
      files_unchanged: this.filesUnchanged,
      files_deleted: this.filesDeleted,
      chunks_removed: this.chunksRemoved,
      replans: this.replans,
      errors: this.errors,
      started_at: this.startedAt.toISOString(),
      completed_at: this.completedAt?.toISOString() ?? null,
      status: this.status,
      source_version: this.sourceVersion,
      source_checksum: this.sourceChecksum,
      revision: this.revision,
      success: this.success,
      duration_seconds: this.durationSeconds,
    };
  }

  toJSON(): Record<string, unknown> {
    return this.toDict();
  }
}

/** Options of {@link KnowledgeIngestionManager}. */
export interface KnowledgeIngestionManagerOptions {
  source: KnowledgeResourceBackend;
  destination: RAGKnowledgeBase;
  /** Publishes `updated` on `knowledge:ingestion` at the end of each run. */
  eventBus?: EventBus;
  /**
   * How often a run renews its claim on the knowledge base, in ms (default 20 000): keep it well
   * under the knowledge backend's lease (`ingestionLeaseMs`, 120 000 by default).
   */
  leaseRenewMs?: number;
  /**
   * How long a run waits while another run — in this process or any other sharing the
   * storage — holds the knowledge base's lease, in ms (default 600 000); then it fails with
   * `LeaseHeldError`. A holder that died is taken over once its lease runs out.
   */
  leaseWaitMs?: number;
}

/** Plans a run makes at most when other commits keep reaching the index first. */
const MAX_PLANS = 5;

/**
 * Loads a knowledge base's files into a {@link RAGKnowledgeBase}.
 * @example
 * const ingestion = new KnowledgeIngestionManager({ source: kbBackend, destination: ragKb, eventBus });
 * const result = await ingestion.ingest("support");
 * result.filesProcessed; result.chunksCreated; result.errors;
 */
export class KnowledgeIngestionManager {
  readonly source: KnowledgeResourceBackend;
  readonly destination: RAGKnowledgeBase;
  readonly eventBus: EventBus | undefined;
  readonly #renewMs: number;
  readonly #waitMs: number;

  constructor(options: KnowledgeIngestionManagerOptions) {
    this.source = options.source;
    this.destination = options.destination;
    this.eventBus = options.eventBus;
    this.#renewMs = options.leaseRenewMs ?? 20_000;
    this.#waitMs = options.leaseWaitMs ?? 600_000;
    // Searches then look each domain up here: a deleted knowledge base's chunks are never served.
    this.destination.useKnowledge(this.source);
  }

  /**
   * Ingests a domain. Per-file errors are collected and the run goes on; the new chunks replace
   * the old ones at once at the end. One run of a domain at a time, in every process sharing the
   * storage: a run first takes the knowledge base's lease, waiting (`leaseWaitMs`) while another
   * run holds it, and lists the files only then. Its commit is made over the index version it
   * planned against; when another commit got there first, it plans again (lists the files and
   * compares them with the new version) rather than stack its changes over that one.
   */
  ingest(domainId: string, options: IngestOptions = {}): Promise<IngestionResult> {
    validateBotId(domainId, "domainId");
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new ValidationError(`Invalid concurrency ${concurrency}: expected an integer ≥ 1`);
    return this.#ingest(domainId, options, concurrency);
  }

  // The in-process scheduler: the whole run is one batch of the ingestion step, one commit.
  async #ingest(
    domainId: string,
    options: IngestOptions,
    concurrency: number,
  ): Promise<IngestionResult> {
    const { signal } = options;
    signal?.throwIfAborted();
    const info = await this.source.getInfo(domainId);
    if (!info) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    const target: IngestTarget = {
      source: this.source,
      destination: this.destination,
      domainId,
      generation: info.generation,
    };
    // The lease on the knowledge base; renewed every leaseRenewMs while the run lives (and
    // checked as files are done), so a run that dies shows as stopped and is taken over.
    const claim = new IngestionClaim(target, {
      renewMs: this.#renewMs,
      waitMs: this.#waitMs,
      ...(signal ? { signal } : {}),
      ...(options.onWait ? { onWait: options.onWait } : {}),
    });
    const before = await claim.claim();
    claim.heartbeat();
    const result = new IngestionResult(domainId);
    try {
      for (let plan = 1; ; plan++) {
        try {
          await this.#plan(target, result, options, concurrency, claim);
          break;
        } catch (error) {
          if (!(error instanceof StaleIndexError) || plan >= MAX_PLANS) throw error;
          result.replans++;
          await claim.renew(true); // still this run's to go on with?
        }
      }
    } catch (error) {
      // The knowledge base still serves what it had: put the status back as it was.
      await claim.restore(before.status, before.error);
      throw error;
    }
    result.completedAt = new Date();
    result.status = await claim.finish(result);
    await this.#publish(result);
    return result;
  }

  /**
   * One plan of a run: lists the files as they are now and ingests them as one batch, one
   * exclusive commit (`StaleIndexError` when another commit reached the index first).
   */
  async #plan(
    target: IngestTarget,
    result: IngestionResult,
    options: IngestOptions,
    concurrency: number,
    claim: IngestionClaim,
  ): Promise<void> {
    const { domainId } = target;
    const { signal } = options;
    result.sourceVersion = (await this.source.getInfo(domainId))?.version ?? null;
    result.sourceChecksum = await this.source.getChecksum(domainId);
    const files = await this.source.listFiles(domainId);
    let done = 0;
    const outcome = await ingestBatch(
      target,
      files,
      {
        first: true,
        endsRun: true,
        keep: () => files.map((f) => f.path),
        clearExisting: options.clearExisting ?? true,
        force: options.force === true,
        concurrency,
        ...(signal ? { signal } : {}),
        onFile: async (file) => {
          options.onProgress?.({ ...file, done: ++done, total: files.length });
          await claim.renew();
        },
      },
      result,
    );
    result.revision = outcome.version;
  }

  async #publish(result: IngestionResult): Promise<void> {
    if (!this.eventBus) return;
    const event = new Event({
      type: EventType.UPDATED,
      topic: INGESTION_TOPIC,
      payload: {
        domain_id: result.domainId,
        files_processed: result.filesProcessed,
        chunks_created: result.chunksCreated,
        files_unchanged: result.filesUnchanged,
        files_deleted: result.filesDeleted,
        errors: result.errors.length,
        status: result.status,
      },
      timestamp: result.completedAt ?? new Date(),
      source: "ingestion",
    });
    await this.eventBus.publish(INGESTION_TOPIC, event);
  }

  /**
   * Ingests only when the domain changed since `lastVersion` (a version or a checksum);
   * `null` when nothing changed. A missing domain throws `NotFoundError`.
   */
  async ingestIfChanged(
    domainId: string,
    options: IngestOptions & { lastVersion?: string | null } = {},
  ): Promise<IngestionResult | null> {
    const { lastVersion, ...rest } = options;
    if (
      lastVersion !== undefined &&
      lastVersion !== null &&
      !(await this.source.hasChangesSince(domainId, lastVersion))
    )
      return null;
    return this.ingest(domainId, rest);
  }

  /** The source's current version, or null when the domain does not exist. */
  async getCurrentVersion(domainId: string): Promise<string | null> {
    return (await this.source.getInfo(domainId))?.version ?? null;
  }
}
