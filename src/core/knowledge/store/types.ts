/**
 * The {@link KnowledgeResourceBackend} port: raw knowledge files per knowledge base (domain).
 * @module
 */
import type { BlobRange } from "../../blob/types.ts";
import type { ByteSource, ByteStream } from "../../util/streams.ts";
import type { JsonObject } from "../../validate.ts";
import type { IngestionStatus, KnowledgeBaseInfo, KnowledgeFile } from "./models.ts";

/** Options of {@link KnowledgeResourceBackend.putFile}. */
export interface PutFileOptions {
  /** Default: from the extension (`.md` → `text/markdown`, `.json.gz` → `application/json`, …). */
  contentType?: string;
  metadata?: JsonObject;
  /**
   * The content's length when the caller knows it (an HTTP `Content-Length`): lets R2 and S3
   * stream the upload. Content of another length fails with `ValidationError`.
   */
  size?: number;
}

/** One file of {@link KnowledgeResourceBackend.putFiles}. */
export interface PutFileEntry extends PutFileOptions {
  path: string;
  content: ByteSource;
}

/**
 * Where knowledge files live. Every backend passes the knowledge-backend conformance suite
 * (`botknobs/testing`).
 */
export interface KnowledgeResourceBackend {
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** Creates an empty knowledge base (version "1", pending); `ConflictError` if it exists. */
  createKb(domainId: string, options?: { metadata?: JsonObject }): Promise<KnowledgeBaseInfo>;
  getInfo(domainId: string): Promise<KnowledgeBaseInfo | null>;
  /** Sorted by domain id. */
  listKbs(): Promise<KnowledgeBaseInfo[]>;
  /** Removes the knowledge base and its files; false when missing. */
  deleteKb(domainId: string): Promise<boolean>;
  /**
   * Stores (or replaces) a file; `NotFoundError` when the knowledge base does not exist, found
   * before any of `content` is read (a refused upload costs no transfer). The result's `created`
   * says whether this call made the file (true) or one was at the path (false).
   */
  putFile(
    domainId: string,
    path: string,
    content: ByteSource,
    options?: PutFileOptions,
  ): Promise<KnowledgeFile>;
  /** Stores many files with one version step (bulk upload); paths are all checked first. */
  putFiles(domainId: string, files: PutFileEntry[]): Promise<KnowledgeFile[]>;
  /**
   * The content, or null when there is no such file. With `checksum`, only the version of the
   * file with that checksum: null when the file's content is another now (it changed since it
   * was listed) — so a reader knows exactly which version it got without hashing it again.
   */
  getFile(
    domainId: string,
    path: string,
    options?: { checksum?: string },
  ): Promise<Uint8Array | null>;
  /**
   * The content as a stream (async-iterable too), in `chunkSize` pieces when given; with `range`,
   * only `length` bytes from `offset` (fewer at the end of the file), read from storage as such;
   * with `checksum`, as `getFile`.
   */
  streamFile(
    domainId: string,
    path: string,
    options?: { chunkSize?: number; range?: BlobRange; checksum?: string },
  ): Promise<ByteStream | null>;
  deleteFile(domainId: string, path: string): Promise<boolean>;
  /** Sorted by path; `prefix` is a plain string prefix. A missing knowledge base lists nothing. */
  listFiles(domainId: string, options?: { prefix?: string }): Promise<KnowledgeFile[]>;
  fileExists(domainId: string, path: string): Promise<boolean>;
  /** SHA-256 of the sorted `path:checksum` lines (`""` when empty). */
  getChecksum(domainId: string): Promise<string>;
  /** False only when `versionOrChecksum` equals the current version or the current checksum. */
  hasChangesSince(domainId: string, versionOrChecksum: string): Promise<boolean>;
  /**
   * Sets status and error (cleared when omitted); does not change the version. With
   * `generation`, only while the knowledge base is still that one: a knowledge base deleted (and
   * perhaps created again) meanwhile is a `NotFoundError`, so a run never marks a newer knowledge
   * base as ingested.
   *
   * `ingesting` claims the knowledge base for a while (a lease, `ingestionLeaseMs` on
   * `BlobKnowledgeBackend`) that runs out unless set again. With `owner` (a token naming one run)
   * the lease is exclusive, in every process and isolate sharing the storage: `ingesting` takes
   * or renews it unless another owner's lease is live (then `LeaseHeldError`, with the holder
   * and when its lease runs out), and any other status ends it unless another owner has taken
   * it over meanwhile (then `LeaseHeldError` with `lost`, and nothing is written). Without
   * `owner` the write is unconditional (tools, tests).
   */
  setIngestionStatus(
    domainId: string,
    status: IngestionStatus | string,
    error?: string | null,
    options?: { generation?: string; owner?: string },
  ): Promise<void>;
}
