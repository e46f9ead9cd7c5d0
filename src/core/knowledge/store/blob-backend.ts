/**
 * {@link BlobKnowledgeBackend}: the knowledge backend over any {@link BlobStore}, in the seed's
 * layout `<prefix><domain>/_metadata.json` + `<prefix><domain>/<path>`. The file, R2, S3 and
 * IndexedDB backends are this class over their blob stores.
 * @module
 */
import type { BlobRange, BlobStore } from "../../blob/types.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import { sha256Hex } from "../../util/json.ts";
import { KeyedLock } from "../../util/keyed-lock.ts";
import { Once } from "../../util/once.ts";
import { Sha256 } from "../../util/sha256.ts";
import {
  type ByteSource,
  type ByteStream,
  isByteStream,
  iterable,
  readAll,
  rechunk,
  toBytes,
} from "../../util/streams.ts";
import { type JsonObject, validateBotId, validateMetadata } from "../../validate.ts";
import {
  IngestionStatus,
  incrementVersion,
  KnowledgeBaseInfo,
  type KnowledgeBaseInfoDict,
  KnowledgeFile,
  type KnowledgeFileDict,
  validateIngestionStatus,
} from "./models.ts";
import { contentTypeFor, METADATA_FILE, validateFilePath } from "./paths.ts";
import type { KnowledgeResourceBackend, PutFileEntry, PutFileOptions } from "./types.ts";

/** The content of `_metadata.json`. */
export interface MetadataDocument {
  info: KnowledgeBaseInfoDict;
  files: Record<string, KnowledgeFileDict>;
}

/** A parsed `_metadata.json` with the etag it was read at, and its checksum once computed. */
interface CachedMetadata {
  etag: string;
  doc: MetadataDocument;
  checksum?: Promise<string>;
}

/** Options of {@link BlobKnowledgeBackend}. */
export interface BlobKnowledgeBackendOptions {
  store: BlobStore;
  /** Key prefix, e.g. `"knowledge/"` (normalised to end with one `/`; empty by default). */
  prefix?: string;
  /** Largest file accepted, in bytes (default 1 GiB). */
  maxFileBytes?: number;
  /** The clock in ms (default `Date.now`). */
  now?: () => number;
}

const MAX_META_ATTEMPTS = 25;

function validateDomain(domainId: string): string {
  return validateBotId(domainId, "domainId");
}

/**
 * Knowledge files over a blob store.
 * @example
 * const kb = new BlobKnowledgeBackend({ store: new MemoryBlobStore() });
 * await kb.createKb("support");
 * await kb.putFile("support", "faq.md", "# FAQ\n\nGo to settings...");
 */
export class BlobKnowledgeBackend implements KnowledgeResourceBackend {
  readonly store: BlobStore;
  readonly prefix: string;
  readonly #maxFileBytes: number;
  readonly #now: () => number;
  readonly #lock = new KeyedLock();
  // Parsed metadata per domain, valid while the stored object's etag is unchanged.
  readonly #cache = new Map<string, CachedMetadata>();
  readonly #ready = new Once();

  constructor(options: BlobKnowledgeBackendOptions) {
    this.store = options.store;
    const p = options.prefix ?? "";
    this.prefix = p === "" ? "" : `${p.replace(/\/+$/, "")}/`;
    this.#maxFileBytes = options.maxFileBytes ?? 1024 ** 3;
    this.#now = options.now ?? Date.now;
  }

  initialize(): Promise<void> {
    return this.#ready.run(() => this.store.initialize());
  }

  async close(): Promise<void> {
    this.#ready.reset();
    this.#cache.clear();
    await this.store.close();
  }

  #metaKey(domainId: string): string {
    return `${this.prefix}${domainId}/${METADATA_FILE}`;
  }

  #fileKey(domainId: string, path: string): string {
    return `${this.prefix}${domainId}/${path}`;
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  async #read(domainId: string): Promise<CachedMetadata | null> {
    await this.initialize();
    const key = this.#metaKey(domainId);
    const head = await this.store.head(key);
    if (!head) {
      this.#cache.delete(domainId);
      return null;
    }
    const cached = this.#cache.get(domainId);
    if (cached?.etag === head.etag) return cached;
    const body = await this.store.get(key);
    if (!body) return null;
    const doc = JSON.parse(new TextDecoder().decode(await readAll(body.body))) as MetadataDocument;
    doc.files ??= {};
    const entry = { etag: body.etag, doc };
    this.#cache.set(domainId, entry);
    return entry;
  }

  async #existing(domainId: string): Promise<MetadataDocument> {
    const entry = await this.#read(domainId);
    if (!entry) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    return entry.doc;
  }

  /** Read-modify-write of `_metadata.json`, compare-and-set on its etag where the store can. */
  async #mutate(
    domainId: string,
    change: (doc: MetadataDocument) => boolean,
  ): Promise<MetadataDocument> {
    return this.#lock.run(domainId, async () => {
      for (let attempt = 0; attempt < MAX_META_ATTEMPTS; attempt++) {
        const entry = await this.#read(domainId);
        if (!entry) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
        // Changes replace file entries and edit `info`: a copy one level deep keeps the cached
        // document intact until the write succeeds (a deep clone of thousands of entries is slow).
        const doc: MetadataDocument = {
          info: { ...entry.doc.info },
          files: { ...entry.doc.files },
        };
        if (!change(doc)) return doc;
        const written = await this.#writeMeta(
          domainId,
          doc,
          this.store.capabilities.conditionalPut ? entry.etag : undefined,
        );
        if (written) return doc;
        this.#cache.delete(domainId);
      }
      throw new ConflictError(
        `Metadata of knowledge base '${domainId}' kept changing under concurrent writers`,
      );
    });
  }

  async #writeMeta(
    domainId: string,
    doc: MetadataDocument,
    ifMatch: string | null | undefined,
  ): Promise<boolean> {
    const bytes = new TextEncoder().encode(JSON.stringify(doc));
    const meta = await this.store.put(this.#metaKey(domainId), bytes, {
      contentType: "application/json",
      ...(ifMatch !== undefined ? { ifMatch } : {}),
    });
    if (meta) this.#cache.set(domainId, { etag: meta.etag, doc });
    return meta !== null;
  }

  async createKb(
    domainId: string,
    options: { metadata?: JsonObject } = {},
  ): Promise<KnowledgeBaseInfo> {
    validateDomain(domainId);
    const metadata = validateMetadata(options.metadata);
    await this.initialize();
    const info = KnowledgeBaseInfo.fromDict({
      domain_id: domainId,
      last_updated: this.#iso(),
      metadata,
    }).toDict();
    const ifMatch = this.store.capabilities.conditionalPut ? null : undefined;
    const created = await this.#lock.run(domainId, async () => {
      if (ifMatch === undefined && (await this.#read(domainId))) return false;
      return this.#writeMeta(domainId, { info, files: {} }, ifMatch);
    });
    if (!created) throw new ConflictError(`Knowledge base '${domainId}' already exists`);
    return new KnowledgeBaseInfo(info);
  }

  async getInfo(domainId: string): Promise<KnowledgeBaseInfo | null> {
    validateDomain(domainId);
    const entry = await this.#read(domainId);
    return entry ? new KnowledgeBaseInfo(entry.doc.info) : null;
  }

  async listKbs(): Promise<KnowledgeBaseInfo[]> {
    await this.initialize();
    const domains: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({
        prefix: this.prefix,
        delimiter: "/",
        ...(cursor ? { cursor } : {}),
      });
      for (const p of page.prefixes) domains.push(p.slice(this.prefix.length, -1));
      cursor = page.cursor;
    } while (cursor);
    const infos: KnowledgeBaseInfo[] = [];
    for (const d of [...new Set(domains)].sort()) {
      const entry = await this.#read(d).catch(() => null);
      if (entry) infos.push(new KnowledgeBaseInfo(entry.doc.info));
    }
    return infos;
  }

  async deleteKb(domainId: string): Promise<boolean> {
    validateDomain(domainId);
    return this.#lock.run(domainId, async () => {
      if (!(await this.#read(domainId))) return false;
      // The metadata goes first: from then on the knowledge base does not exist, whatever remains.
      await this.store.delete(this.#metaKey(domainId));
      this.#cache.delete(domainId);
      await this.#deletePrefix(`${this.prefix}${domainId}/`);
      return true;
    });
  }

  async #deletePrefix(prefix: string): Promise<void> {
    for (;;) {
      const page = await this.store.list({ prefix, limit: 1000 });
      if (page.objects.length === 0) return;
      await this.store.delete(page.objects.map((o) => o.key));
    }
  }

  putFile(
    domainId: string,
    path: string,
    content: ByteSource,
    options: PutFileOptions = {},
  ): Promise<KnowledgeFile> {
    return this.putFiles(domainId, [{ path, content, ...options }]).then(
      (files) => files[0] as KnowledgeFile,
    );
  }

  /**
   * Stores many files with one metadata write and one version step (bulk uploads). Every path is
   * checked before anything is written. If a content write fails, the files written before it
   * are still recorded, then the error is thrown.
   */
  async putFiles(domainId: string, entries: PutFileEntry[]): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    const checked = entries.map((e) => {
      validateFilePath(e.path);
      const contentType = e.contentType ?? contentTypeFor(e.path);
      if (typeof contentType !== "string" || contentType === "")
        throw new ValidationError("Invalid contentType: expected a non-empty string");
      if (
        !isByteStream(e.content) &&
        typeof e.content !== "string" &&
        !(e.content instanceof Uint8Array)
      ) {
        throw new ValidationError(
          `Invalid content for '${e.path}': expected Uint8Array, string or ReadableStream`,
        );
      }
      return {
        ...e,
        contentType,
        metadata: validateMetadata(e.metadata),
        keepMetadata: e.metadata === undefined,
      };
    });
    const doc = await this.#existing(domainId);
    const written: { file: KnowledgeFile; keepMetadata: boolean }[] = [];
    const results: KnowledgeFile[] = [];
    let failure: unknown;
    for (const e of checked) {
      try {
        const stored = await this.#storeContent(
          domainId,
          e.path,
          e.content,
          e.contentType,
          doc.files[e.path],
          e.keepMetadata,
        );
        if (stored === null) {
          results.push(KnowledgeFile.fromDict(doc.files[e.path] as KnowledgeFileDict));
          continue;
        }
        const file = new KnowledgeFile({
          path: e.path,
          contentType: e.contentType,
          ...stored,
          uploadedAt: new Date(this.#now()),
          metadata: e.metadata,
        });
        written.push({ file, keepMetadata: e.keepMetadata });
        results.push(file);
      } catch (error) {
        failure = error;
        break;
      }
    }
    if (written.length > 0) await this.#record(domainId, written);
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Writes one file's bytes; `null` when identical bytes are already stored (no write). */
  async #storeContent(
    domainId: string,
    path: string,
    content: ByteSource,
    contentType: string,
    existing: KnowledgeFileDict | undefined,
    keepMetadata: boolean,
  ): Promise<{ checksum: string; sizeBytes: number } | null> {
    const key = this.#fileKey(domainId, path);
    const limit = this.#maxFileBytes;
    if (isByteStream(content)) {
      // Hash and count while the bytes stream to the store: the file is never held twice.
      const sha = new Sha256();
      const counted = content.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            sha.update(chunk);
            if (sha.length > limit)
              controller.error(
                new ValidationError(`File '${path}' exceeds the limit of ${limit} bytes`),
              );
            else controller.enqueue(chunk);
          },
        }),
      );
      await this.store.put(key, counted, { contentType });
      return { checksum: sha.hex(), sizeBytes: sha.length };
    }
    const bytes = toBytes(content);
    if (bytes.length > limit)
      throw new ValidationError(`File '${path}' exceeds the limit of ${limit} bytes`);
    const checksum = await sha256Hex(bytes);
    // Re-uploading identical content is not a change: no write, no new version.
    if (existing?.checksum === checksum && existing.content_type === contentType && keepMetadata)
      return null;
    await this.store.put(key, bytes, { contentType });
    return { checksum, sizeBytes: bytes.length };
  }

  /** Records written files in the metadata, one version step for all of them. */
  async #record(
    domainId: string,
    written: { file: KnowledgeFile; keepMetadata: boolean }[],
  ): Promise<void> {
    try {
      await this.#mutate(domainId, (d) => {
        let changed = false;
        for (const { file, keepMetadata } of written) {
          const before = d.files[file.path];
          if (
            before?.checksum === file.checksum &&
            before.content_type === file.contentType &&
            keepMetadata
          )
            continue;
          d.files[file.path] = file.toDict();
          changed = true;
        }
        if (changed) this.#touch(d);
        return changed;
      });
    } catch (error) {
      // The knowledge base vanished meanwhile: do not leave the content behind.
      if (error instanceof NotFoundError) {
        await this.store
          .delete(written.map((w) => this.#fileKey(domainId, w.file.path)))
          .catch(() => {});
      }
      throw error;
    }
  }

  /** Recounts files and bytes, bumps the version, stamps the time. */
  #touch(doc: MetadataDocument): void {
    const files = Object.values(doc.files);
    doc.info.file_count = files.length;
    doc.info.total_size_bytes = files.reduce((n, f) => n + f.size_bytes, 0);
    doc.info.version = incrementVersion(doc.info.version);
    doc.info.last_updated = this.#iso();
  }

  async getFile(domainId: string, path: string): Promise<Uint8Array | null> {
    const stream = await this.streamFile(domainId, path);
    return stream ? readAll(stream) : null;
  }

  async streamFile(
    domainId: string,
    path: string,
    options: { chunkSize?: number; range?: BlobRange } = {},
  ): Promise<ByteStream | null> {
    validateDomain(domainId);
    validateFilePath(path);
    const { range } = options;
    if (
      range !== undefined &&
      !(
        Number.isSafeInteger(range.offset) &&
        range.offset >= 0 &&
        (range.length === undefined || (Number.isSafeInteger(range.length) && range.length >= 0))
      )
    ) {
      throw new ValidationError(
        `Invalid range ${JSON.stringify(range)}: offset and length must be non-negative integers`,
      );
    }
    await this.initialize();
    const key = this.#fileKey(domainId, path);
    const body = await this.store.get(key, range === undefined ? {} : { range });
    if (!body) return null;
    return iterable(
      options.chunkSize === undefined ? body.body : rechunk(body.body, options.chunkSize),
    );
  }

  async deleteFile(domainId: string, path: string): Promise<boolean> {
    validateDomain(domainId);
    validateFilePath(path);
    if (!(await this.#read(domainId))) return false;
    let existed = false;
    await this.#mutate(domainId, (d) => {
      existed = Object.hasOwn(d.files, path);
      if (!existed) return false;
      delete d.files[path];
      this.#touch(d);
      return true;
    });
    if (existed) await this.store.delete(this.#fileKey(domainId, path));
    return existed;
  }

  async listFiles(domainId: string, options: { prefix?: string } = {}): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    const entry = await this.#read(domainId);
    if (!entry) return [];
    const prefix = options.prefix ?? "";
    return Object.keys(entry.doc.files)
      .filter((p) => p.startsWith(prefix))
      .sort()
      .map((p) => KnowledgeFile.fromDict(entry.doc.files[p] as KnowledgeFileDict));
  }

  async fileExists(domainId: string, path: string): Promise<boolean> {
    validateDomain(domainId);
    validateFilePath(path);
    const entry = await this.#read(domainId);
    return !!entry && Object.hasOwn(entry.doc.files, path);
  }

  async getChecksum(domainId: string): Promise<string> {
    validateDomain(domainId);
    return this.#checksum(domainId);
  }

  /** The checksum, computed once per metadata version. */
  async #checksum(domainId: string): Promise<string> {
    const entry = await this.#read(domainId);
    if (!entry) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    entry.checksum ??= checksumOf(entry.doc);
    return entry.checksum;
  }

  async hasChangesSince(domainId: string, versionOrChecksum: string): Promise<boolean> {
    validateDomain(domainId);
    const doc = await this.#existing(domainId);
    if (versionOrChecksum === doc.info.version) return false;
    return versionOrChecksum !== (await this.#checksum(domainId));
  }

  async setIngestionStatus(
    domainId: string,
    status: IngestionStatus | string,
    error: string | null = null,
  ): Promise<void> {
    validateDomain(domainId);
    const value = validateIngestionStatus(status);
    await this.#mutate(domainId, (d) => {
      d.info.ingestion_status = value;
      d.info.ingestion_error = value === IngestionStatus.ERROR || error ? error : null;
      return true;
    });
  }
}

/** SHA-256 of the sorted `path:checksum` lines; `""` for an empty knowledge base. */
export async function checksumOf(doc: MetadataDocument): Promise<string> {
  const lines = Object.values(doc.files)
    .map((f) => `${f.path}:${f.checksum}`)
    .sort();
  return lines.length === 0 ? "" : sha256Hex(lines.join("\n"));
}
