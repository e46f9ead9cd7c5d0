/**
 * Knowledge models: {@link IngestionStatus}, {@link KnowledgeFile}, {@link KnowledgeBaseInfo}.
 * On disk and on the wire they keep the seed's snake_case keys.
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { parseTimestamp } from "../../util/json.ts";
import type { JsonObject } from "../../validate.ts";

/** Where a knowledge base stands with ingestion. Values are the seed's strings. */
export const IngestionStatus = {
  PENDING: "pending",
  INGESTING: "ingesting",
  READY: "ready",
  ERROR: "error",
} as const;
/** One of the {@link IngestionStatus} values. */
export type IngestionStatus = (typeof IngestionStatus)[keyof typeof IngestionStatus];

/** Checks a status given as `IngestionStatus.READY` or `"ready"`. */
export function validateIngestionStatus(status: unknown): IngestionStatus {
  if (typeof status === "string" && (Object.values(IngestionStatus) as string[]).includes(status)) {
    return status as IngestionStatus;
  }
  throw new ValidationError(
    `Invalid ingestion status ${JSON.stringify(status)}: expected pending, ingesting, ready or error`,
    [{ path: ["status"], message: "expected pending, ingesting, ready or error" }],
  );
}

/** The stored form of a {@link KnowledgeFile}. */
export interface KnowledgeFileDict {
  path: string;
  content_type: string;
  size_bytes: number;
  checksum: string;
  uploaded_at: string;
  metadata: JsonObject;
}

/** A file in a knowledge base. `checksum` is the SHA-256 hex of its bytes. */
export class KnowledgeFile {
  readonly path: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly uploadedAt: Date;
  readonly metadata: JsonObject;
  /**
   * On what `putFile`/`putFiles` return: true when the call made a new file at the path, false
   * when one was there (replaced, or identical and kept). Absent on files read back. Not stored.
   */
  readonly created?: boolean;

  constructor(init: {
    path: string;
    contentType: string;
    sizeBytes: number;
    checksum: string;
    uploadedAt: Date;
    metadata?: JsonObject;
    created?: boolean;
  }) {
    this.path = init.path;
    this.contentType = init.contentType;
    this.sizeBytes = init.sizeBytes;
    this.checksum = init.checksum;
    this.uploadedAt = init.uploadedAt;
    this.metadata = init.metadata ?? {};
    if (init.created !== undefined) this.created = init.created;
  }

  toDict(): KnowledgeFileDict {
    return {
      path: this.path,
      content_type: this.contentType,
      size_bytes: this.sizeBytes,
      checksum: this.checksum,
      uploaded_at: this.uploadedAt.toISOString(),
      metadata: this.metadata,
    };
  }

  toJSON(): KnowledgeFileDict {
    return this.toDict();
  }

  /** Reads the stored form (defaults as the original: octet-stream, size 0, now). */
  static fromDict(
    d: Partial<KnowledgeFileDict> & { path: string },
    created?: boolean,
  ): KnowledgeFile {
    return new KnowledgeFile({
      path: d.path,
      contentType: d.content_type ?? "application/octet-stream",
      sizeBytes: d.size_bytes ?? 0,
      checksum: d.checksum ?? "",
      uploadedAt: parseTimestamp(d.uploaded_at, new Date()),
      metadata: d.metadata ?? {},
      ...(created === undefined ? {} : { created }),
    });
  }
}

/** The stored form of a {@link KnowledgeBaseInfo}. */
export interface KnowledgeBaseInfoDict {
  domain_id: string;
  file_count: number;
  total_size_bytes: number;
  last_updated: string;
  version: string;
  ingestion_status: IngestionStatus;
  ingestion_error: string | null;
  vector_store_path: string | null;
  metadata: JsonObject;
  /**
   * Which incarnation of the domain id this is: new on every `createKb`, so what belonged to a
   * deleted knowledge base (its search index too) never serves one created later with the same id.
   */
  generation: string;
}

/** A knowledge base's summary. `version` increments on every content change. */
export class KnowledgeBaseInfo {
  readonly domainId: string;
  readonly fileCount: number;
  readonly totalSizeBytes: number;
  readonly lastUpdated: Date;
  readonly version: string;
  readonly ingestionStatus: IngestionStatus;
  readonly ingestionError: string | null;
  readonly vectorStorePath: string | null;
  readonly metadata: JsonObject;
  /** New on every `createKb` of this id (see {@link KnowledgeBaseInfoDict.generation}). */
  readonly generation: string;

  constructor(d: KnowledgeBaseInfoDict) {
    this.domainId = d.domain_id;
    this.fileCount = d.file_count;
    this.totalSizeBytes = d.total_size_bytes;
    this.lastUpdated = parseTimestamp(d.last_updated, new Date());
    this.version = d.version;
    this.ingestionStatus = d.ingestion_status;
    this.ingestionError = d.ingestion_error;
    this.vectorStorePath = d.vector_store_path;
    this.metadata = d.metadata;
    this.generation = d.generation;
  }

  toDict(): KnowledgeBaseInfoDict {
    return {
      domain_id: this.domainId,
      file_count: this.fileCount,
      total_size_bytes: this.totalSizeBytes,
      last_updated: this.lastUpdated.toISOString(),
      version: this.version,
      ingestion_status: this.ingestionStatus,
      ingestion_error: this.ingestionError,
      vector_store_path: this.vectorStorePath,
      metadata: this.metadata,
      generation: this.generation,
    };
  }

  toJSON(): KnowledgeBaseInfoDict {
    return this.toDict();
  }

  /**
   * Reads the stored form (defaults as the original: version "1", pending; generation `"0"`, that
   * of knowledge bases written before generations existed).
   */
  static fromDict(d: Partial<KnowledgeBaseInfoDict> & { domain_id: string }): KnowledgeBaseInfo {
    return new KnowledgeBaseInfo({
      domain_id: d.domain_id,
      file_count: d.file_count ?? 0,
      total_size_bytes: d.total_size_bytes ?? 0,
      last_updated: d.last_updated ?? new Date().toISOString(),
      version: d.version ?? "1",
      ingestion_status: d.ingestion_status ?? IngestionStatus.PENDING,
      ingestion_error: d.ingestion_error ?? null,
      vector_store_path: d.vector_store_path ?? null,
      metadata: d.metadata ?? {},
      generation: d.generation ?? "0",
    });
  }
}

/** `"1"` → `"2"`; a non-integer version gets `.<unix seconds>` appended (as the original). */
export function incrementVersion(version: string): string {
  return /^\d+$/.test(version)
    ? String(Number(version) + 1)
    : `${version}.${Math.floor(Date.now() / 1000)}`;
}
