/**
 * {@link BlobKnowledgeBackend}: the knowledge backend over any {@link BlobStore}, safe with many
 * writers in many processes. Layout under `<prefix><domain>/`:
 *
 * - `_metadata.json` — the head: summary, the root of the file list, the ingestion lease. Every
 *   change replaces it by compare-and-set, so a change is all there or not at all.
 * - `.botknobs/<generation>/blobs/<id>` — each upload's bytes, written once under a fresh key
 *   before the head that lists them: a crash leaves the old state, never a list that disagrees
 *   with the bytes.
 * - `.botknobs/<generation>/nodes/<id>.json` — the file list's nodes (a copy-on-write B+tree).
 * - `<path>` — a copy of each current file (a hard link on a file system) for other tools, kept
 *   in step after each commit; the backend itself never reads it.
 * @module
 */
import { folderPrefix } from "../../blob/list.ts";
import type { BlobRange, BlobStore } from "../../blob/types.ts";
import { ConflictError, LeaseHeldError, NotFoundError, ValidationError } from "../../errors.ts";
import type { ErrorReporter } from "../../events/types.ts";
import { Once } from "../../util/once.ts";
import { sha256Hex } from "../../util/sha256.ts";
import {
  type ByteSource,
  type ByteStream,
  iterable,
  readAll,
  rechunk,
} from "../../util/streams.ts";
import { type JsonObject, validateBotId, validateMetadata } from "../../validate.ts";
import { FileCopies } from "./copies.ts";
import { DomainHeads } from "./domain-heads.ts";
import type { Draft } from "./draft.ts";
import {
  effectiveInfo,
  HEAD_FORMAT,
  HEAD_FORMAT_VERSION,
  type HeadDocument,
  isTombstone,
  leaseOf,
  newGeneration,
  type Tombstone,
} from "./head.ts";
import {
  DEFAULT_SHAPE,
  EMPTY_ROOT,
  type FileEntry,
  lookup,
  scan,
  type TreeShape,
} from "./manifest-tree.ts";
import {
  IngestionStatus,
  incrementVersion,
  KnowledgeBaseInfo,
  type KnowledgeFile,
  validateIngestionStatus,
} from "./models.ts";
import { StaleReadError } from "./nodes.ts";
import { checkNameBytes, validateFilePath } from "./paths.ts";
import {
  fileOf,
  type PlannedFile,
  planFile,
  precheck,
  recordBatch,
  uploadPlanned,
} from "./put-files.ts";
import { sweepKnowledge } from "./sweep.ts";
import type { KnowledgeResourceBackend, PutFileEntry, PutFileOptions } from "./types.ts";

/** Options of {@link BlobKnowledgeBackend}. */
export interface BlobKnowledgeBackendOptions {
  store: BlobStore;
  /** Key prefix, e.g. `"knowledge/"` (normalised to end with one `/`; empty by default). */
  prefix?: string;
  /** Largest file accepted, in bytes (default 1 GiB). */
  maxFileBytes?: number;
  /** The clock in ms (default `Date.now`). */
  now?: () => number;
  /** Keep a copy of each file at `<domain>/<path>` for other tools (default true). */
  mirror?: boolean;
  /**
   * Declares that only this process writes, so a store without conditional puts may be used
   * (writes then queue in this process only). Without it such a store refuses writes.
   */
  singleWriter?: boolean;
  /** How long an ingestion's claim lasts unless renewed (default 120 000 ms). */
  ingestionLeaseMs?: number;
  /** Node sizes of the file list (default 64 entries per node). */
  treeShape?: TreeShape;
  /** Told about failures that do not fail the call (a copy for other tools that could not be made). */
  onError?: ErrorReporter;
}

const MAX_ATTEMPTS = 50;

function validateDomain(domainId: string): string {
  return validateBotId(domainId, "domainId");
}

function validateRange(range: BlobRange | undefined): void {
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
  readonly #leaseMs: number;
  readonly #heads: DomainHeads;
  readonly #copies: FileCopies;
  readonly #ready = new Once();

  constructor(options: BlobKnowledgeBackendOptions) {
    this.store = options.store;
    this.prefix = folderPrefix(options.prefix ?? "");
    this.#maxFileBytes = options.maxFileBytes ?? 1024 ** 3;
    this.#now = options.now ?? Date.now;
    this.#leaseMs = options.ingestionLeaseMs ?? 120_000;
    const report = options.onError ?? (() => {});
    this.#heads = new DomainHeads({
      store: this.store,
      prefix: this.prefix,
      shape: options.treeShape ?? DEFAULT_SHAPE,
      singleWriter: options.singleWriter ?? false,
      report,
      ready: () => this.initialize(),
    });
    this.#copies = new FileCopies(this.#heads, options.mirror ?? true, report);
  }

  initialize(): Promise<void> {
    return this.#ready.run(() => this.store.initialize());
  }

  async close(): Promise<void> {
    this.#ready.reset();
    this.#heads.clear();
    await this.store.close();
  }

  /** Where a generation's own objects live: a search index over this store keeps its files there too. */
  generationPrefix(domainId: string, generation: string): string {
    return this.#heads.generationPrefix(domainId, generation);
  }

  #iso(at: number = this.#now()): string {
    return new Date(at).toISOString();
  }

  /** Bumps the version and stamps the time when files changed. */
  #stamp = (draft: Draft): void => {
    draft.info.version = incrementVersion(draft.info.version);
    draft.info.last_updated = this.#iso();
  };

  // ── knowledge bases ──────────────────────────────────────────────────────────────────────

  async createKb(
    domainId: string,
    options: { metadata?: JsonObject } = {},
  ): Promise<KnowledgeBaseInfo> {
    validateDomain(domainId);
    const metadata = validateMetadata(options.metadata);
    this.#heads.requireWritable();
    const info = KnowledgeBaseInfo.fromDict({
      domain_id: domainId,
      last_updated: this.#iso(),
      metadata,
      generation: newGeneration(),
    }).toDict();
    const doc: HeadDocument = {
      format: HEAD_FORMAT,
      format_version: HEAD_FORMAT_VERSION,
      info,
      root: EMPTY_ROOT,
    };
    const created = await this.#heads.lock.run(domainId, async () => {
      const current = await this.#heads.read(domainId);
      if (current && !isTombstone(current.doc)) return false;
      return this.#heads.put(domainId, doc, current?.etag ?? null);
    });
    if (!created) throw new ConflictError(`Knowledge base '${domainId}' already exists`);
    return new KnowledgeBaseInfo(info);
  }

  async getInfo(domainId: string): Promise<KnowledgeBaseInfo | null> {
    validateDomain(domainId);
    const head = await this.#heads.live(domainId);
    return head ? new KnowledgeBaseInfo(effectiveInfo(head.doc, this.#now())) : null;
  }

  async listKbs(): Promise<KnowledgeBaseInfo[]> {
    const infos: KnowledgeBaseInfo[] = [];
    for (const d of await this.#heads.domains()) {
      const head = await this.#heads.live(d).catch(() => null);
      if (head) infos.push(new KnowledgeBaseInfo(effectiveInfo(head.doc, this.#now())));
    }
    return infos;
  }

  /**
   * Deletes the knowledge base: its head becomes a tombstone at once (from then on it does not
   * exist, and writers still in flight fail), then its objects and copies are removed.
   */
  async deleteKb(domainId: string): Promise<boolean> {
    validateDomain(domainId);
    this.#heads.requireWritable();
    const gone = await this.#heads.lock.run(domainId, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const head = await this.#heads.live(domainId);
        if (!head) return null;
        const tomb: Tombstone = {
          format: HEAD_FORMAT,
          format_version: HEAD_FORMAT_VERSION,
          deleted: true,
          generation: head.doc.info.generation,
          deleted_at: this.#iso(),
        };
        if (await this.#heads.put(domainId, tomb, head.etag)) return head.doc;
      }
      throw new ConflictError(`Knowledge base '${domainId}' kept changing while being deleted`);
    });
    if (!gone) return false;
    const { generation } = gone.info;
    const copies: string[] = [];
    for await (const entry of scan(gone.root, "", this.#heads.source(domainId, generation)))
      copies.push(this.#heads.copyKey(domainId, entry.path));
    for (let i = 0; i < copies.length; i += 1000)
      await this.#heads.deleteQuietly(copies.slice(i, i + 1000));
    const own = await this.#heads.keysUnder(this.generationPrefix(domainId, generation));
    for (let i = 0; i < own.length; i += 1000)
      await this.#heads.deleteQuietly(own.slice(i, i + 1000));
    return true;
  }

  // ── files ────────────────────────────────────────────────────────────────────────────────

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
   * Stores many files with one head write and one version step (bulk uploads). Every path is
   * checked before anything is written. If a content upload fails, the files uploaded before it
   * are still recorded, then the error is thrown.
   */
  async putFiles(domainId: string, entries: PutFileEntry[]): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    const planned: PlannedFile[] = [];
    for (const e of entries) planned.push(await planFile(e));
    // A copy at `<domain>/<path>` must be storable, or it would be missing without a word.
    const { maxNameBytes } = this.store.capabilities;
    if (this.#copies.enabled)
      for (const p of planned) checkNameBytes(`${domainId}/${p.path}`, maxNameBytes, "the copy");
    this.#heads.requireWritable();
    const heads = this.#heads;
    const head = await heads.existing(domainId);
    const { generation } = head.doc.info;
    await precheck(heads, domainId, head, planned);
    let failure: unknown;
    let ready = 0;
    for (const p of planned) {
      try {
        if (!p.listed) await uploadPlanned(heads, domainId, generation, p, this.#maxFileBytes);
        ready++;
      } catch (error) {
        failure = error;
        break;
      }
    }
    const batch = planned.slice(0, ready);
    const iso = (): string => this.#iso();
    for (let round = 0; ; round++) {
      let recorded: Awaited<ReturnType<typeof recordBatch>>;
      try {
        recorded = await recordBatch(heads, domainId, generation, batch, iso, this.#stamp);
      } catch (error) {
        await heads.deleteQuietly(
          batch.flatMap((p) =>
            p.uploaded ? [heads.blobKey(domainId, generation, p.uploaded.blob)] : [],
          ),
        );
        throw error;
      }
      await this.#afterCommit(
        domainId,
        generation,
        recorded.replaced,
        recorded.unlisted,
        recorded.changed,
      );
      if (recorded.stale.length === 0 || round >= 3) {
        if (failure !== undefined) throw failure;
        return recorded.files;
      }
      // Identical when the batch started, changed by someone since: upload after all.
      for (const p of recorded.stale)
        await uploadPlanned(heads, domainId, generation, p, this.#maxFileBytes);
    }
  }

  /** After a commit: drops bytes no head lists any more, and brings the copies in step. */
  async #afterCommit(
    domainId: string,
    generation: string,
    replaced: FileEntry[],
    unlisted: string[],
    changed: string[],
  ): Promise<void> {
    const heads = this.#heads;
    // Bytes from before format 2 sit at the copy's place: without copies, they go too.
    const garbage = replaced.flatMap((e) =>
      e.blob !== null || !this.#copies.enabled ? [heads.contentKey(domainId, generation, e)] : [],
    );
    await heads.deleteQuietly([
      ...garbage,
      ...unlisted.map((id) => heads.blobKey(domainId, generation, id)),
    ]);
    await this.#copies.sync(domainId, changed);
  }

  async getFile(
    domainId: string,
    path: string,
    options: { checksum?: string } = {},
  ): Promise<Uint8Array | null> {
    const stream = await this.streamFile(
      domainId,
      path,
      options.checksum === undefined ? {} : { checksum: options.checksum },
    );
    return stream ? readAll(stream) : null;
  }

  async streamFile(
    domainId: string,
    path: string,
    options: { chunkSize?: number; range?: BlobRange; checksum?: string } = {},
  ): Promise<ByteStream | null> {
    validateDomain(domainId);
    validateFilePath(path);
    const { range } = options;
    validateRange(range);
    return this.#heads.withHead(domainId, null, async (head, source) => {
      const entry = await lookup(head.doc.root, path, source);
      // An upload's bytes never change: the entry's checksum is the checksum of what is read.
      if (!entry || (options.checksum !== undefined && entry.checksum !== options.checksum))
        return null;
      const key = this.#heads.contentKey(domainId, head.doc.info.generation, entry);
      const body = await this.store.get(key, range === undefined ? {} : { range });
      if (!body) throw new StaleReadError(key);
      return iterable(
        options.chunkSize === undefined ? body.body : rechunk(body.body, options.chunkSize),
      );
    });
  }

  async deleteFile(domainId: string, path: string): Promise<boolean> {
    validateDomain(domainId);
    validateFilePath(path);
    const head = await this.#heads.live(domainId);
    if (!head) return false;
    let generation = head.doc.info.generation;
    const { value: existed, replaced } = await this.#heads.commit(domainId, async (draft) => {
      generation = draft.info.generation;
      if (!(await draft.get(path))) return false;
      draft.set(path, null);
      this.#stamp(draft);
      return true;
    });
    if (existed) await this.#afterCommit(domainId, generation, replaced, [], [path]);
    return existed;
  }

  async listFiles(domainId: string, options: { prefix?: string } = {}): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    return this.#heads.withHead(domainId, [], async (head, source) => {
      const files: KnowledgeFile[] = [];
      for await (const entry of scan(head.doc.root, options.prefix ?? "", source))
        files.push(fileOf(entry));
      return files;
    });
  }

  async fileExists(domainId: string, path: string): Promise<boolean> {
    validateDomain(domainId);
    validateFilePath(path);
    return this.#heads.withHead(
      domainId,
      false,
      async (head, source) => (await lookup(head.doc.root, path, source)) !== null,
    );
  }

  /** SHA-256 of the sorted `path:checksum` lines (`""` when empty), computed once per head. */
  async getChecksum(domainId: string): Promise<string> {
    validateDomain(domainId);
    const checksum = await this.#heads.withHead(domainId, null, (head, source) => {
      head.checksum ??= (async () => {
        const lines: string[] = [];
        for await (const e of scan(head.doc.root, "", source))
          lines.push(`${e.path}:${e.checksum}`);
        lines.sort();
        return lines.length === 0 ? "" : sha256Hex(lines.join("\n"));
      })();
      return head.checksum;
    });
    if (checksum === null) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    return checksum;
  }

  async hasChangesSince(domainId: string, versionOrChecksum: string): Promise<boolean> {
    validateDomain(domainId);
    const head = await this.#heads.existing(domainId);
    if (versionOrChecksum === head.doc.info.version) return false;
    return versionOrChecksum !== (await this.getChecksum(domainId));
  }

  /**
   * Sets status and error; does not change the version. `ingesting` claims the knowledge base
   * for `ingestionLeaseMs` (set it again to renew the claim); a claim that runs out shows as
   * `error` (the process that ingested stopped), so a status never stays `ingesting` forever.
   *
   * With `owner` (a run's token) the claim is a lease only one run holds: `ingesting` takes or
   * renews it, and throws `LeaseHeldError` while another owner's lease is live; any other status
   * ends it, and throws `LeaseHeldError` (`lost`) when another owner has taken it over. The check
   * and the write are one compare-and-set of the head, so two processes never both hold it.
   */
  async setIngestionStatus(
    domainId: string,
    status: IngestionStatus | string,
    error: string | null = null,
    options: { generation?: string; owner?: string } = {},
  ): Promise<void> {
    validateDomain(domainId);
    const value = validateIngestionStatus(status);
    const { owner } = options;
    if (owner !== undefined && (typeof owner !== "string" || owner === "" || owner.length > 200))
      throw new ValidationError("Invalid owner: expected a token of 1-200 characters");
    await this.#heads.commit(domainId, async (draft, doc) => {
      if (options.generation !== undefined && draft.info.generation !== options.generation)
        throw new NotFoundError(
          `Knowledge base '${domainId}' was deleted (and created again) since generation ${options.generation}`,
        );
      const now = this.#now();
      const held = owner === undefined ? null : leaseOf(doc, now);
      if (held && held.owner !== owner) {
        if (value === IngestionStatus.INGESTING && held.live)
          throw new LeaseHeldError(domainId, held.owner, held.until);
        if (value !== IngestionStatus.INGESTING && held.owner !== null)
          throw new LeaseHeldError(domainId, held.owner, held.until, true);
      }
      draft.info.ingestion_status = value;
      draft.info.ingestion_error = value === IngestionStatus.ERROR || error ? error : null;
      draft.lease =
        value === IngestionStatus.INGESTING
          ? { owner: owner ?? null, until: this.#iso(now + this.#leaseMs) }
          : null;
      draft.touch();
    });
  }

  /**
   * Makes the copies at `<domain>/<path>` match the file list exactly: missing or different ones
   * are copied, stray ones removed (after a crash between a commit and its copy). Returns how
   * many it changed.
   * @example
   * await backend.repairCopies("support");
   */
  repairCopies(domainId: string): Promise<number> {
    validateDomain(domainId);
    return this.#copies.repair(domainId);
  }

  /**
   * Removes what crashed or raced writers left behind: objects no head lists any more (older than
   * `olderThanMs`, default one hour, so uploads in progress are safe), everything of deleted
   * knowledge bases and of their earlier generations, and copies out of step. Run it at start-up
   * or from a scheduled job; returns how many objects it removed or repaired.
   * @example
   * await backend.sweep();
   */
  sweep(options: { olderThanMs?: number } = {}): Promise<number> {
    return sweepKnowledge(
      this.#heads,
      this.#copies,
      this.#now() - (options.olderThanMs ?? 3_600_000),
    );
  }
}
