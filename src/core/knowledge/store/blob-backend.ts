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
import { copyObject } from "../../blob/copy.ts";
import type { BlobRange, BlobStore } from "../../blob/types.ts";
import { ConflictError, NotFoundError, UnsupportedError, ValidationError } from "../../errors.ts";
import type { ErrorReporter } from "../../events/types.ts";
import { sha256Hex } from "../../util/json.ts";
import { KeyedLock } from "../../util/keyed-lock.ts";
import { Once } from "../../util/once.ts";
import {
  type ByteSource,
  type ByteStream,
  isByteStream,
  iterable,
  readAll,
  rechunk,
} from "../../util/streams.ts";
import { type JsonObject, validateBotId, validateMetadata } from "../../validate.ts";
import { Draft } from "./draft.ts";
import {
  checkRoot,
  effectiveInfo,
  HEAD_FORMAT,
  HEAD_FORMAT_VERSION,
  type HeadDocument,
  isTombstone,
  newGeneration,
  parseHead,
  type Tombstone,
} from "./head.ts";
import {
  applyChanges,
  DEFAULT_SHAPE,
  EMPTY_ROOT,
  type FileEntry,
  lookup,
  type NodeSource,
  nodeKeys,
  scan,
  type TreeNode,
  type TreeShape,
  totals,
} from "./manifest-tree.ts";
import {
  IngestionStatus,
  incrementVersion,
  KnowledgeBaseInfo,
  KnowledgeFile,
  validateIngestionStatus,
} from "./models.ts";
import { BoundedCache, nodeSource, StaleReadError } from "./nodes.ts";
import { contentTypeFor, METADATA_FILE, validateFilePath } from "./paths.ts";
import type { KnowledgeResourceBackend, PutFileEntry, PutFileOptions } from "./types.ts";
import { checksumIfBytes, upload } from "./upload.ts";

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

/** A head as read, with the etag it was read at and its checksum once computed. */
interface CachedHead {
  etag: string;
  doc: HeadDocument | Tombstone;
  checksum?: Promise<string>;
}
type LiveHead = CachedHead & { doc: HeadDocument };

/** One file of a `putFiles` call, checked. */
interface PlannedFile {
  path: string;
  content: ByteSource;
  contentType: string;
  metadata: JsonObject;
  keepMetadata: boolean;
  size?: number;
  /** SHA-256 of content already in memory (known before uploading). */
  checksum: string | null;
  /** Where its bytes were uploaded, once they were. */
  uploaded?: { blob: string; checksum: string; sizeBytes: number };
}

const MAX_COMMIT_ATTEMPTS = 50;
const MAX_READ_ATTEMPTS = 5;

function validateDomain(domainId: string): string {
  return validateBotId(domainId, "domainId");
}

function sameContent(a: FileEntry, checksum: string, contentType: string): boolean {
  return a.checksum === checksum && a.content_type === contentType;
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
  readonly #mirror: boolean;
  readonly #singleWriter: boolean;
  readonly #leaseMs: number;
  readonly #shape: TreeShape;
  readonly #report: ErrorReporter;
  readonly #lock = new KeyedLock();
  readonly #heads = new Map<string, CachedHead>();
  readonly #nodes = new BoundedCache<TreeNode>(4096);
  readonly #ready = new Once();

  constructor(options: BlobKnowledgeBackendOptions) {
    this.store = options.store;
    const p = options.prefix ?? "";
    this.prefix = p === "" ? "" : `${p.replace(/\/+$/, "")}/`;
    this.#maxFileBytes = options.maxFileBytes ?? 1024 ** 3;
    this.#now = options.now ?? Date.now;
    this.#mirror = options.mirror ?? true;
    this.#singleWriter = options.singleWriter ?? false;
    this.#leaseMs = options.ingestionLeaseMs ?? 120_000;
    this.#shape = options.treeShape ?? DEFAULT_SHAPE;
    this.#report = options.onError ?? (() => {});
  }

  initialize(): Promise<void> {
    return this.#ready.run(() => this.store.initialize());
  }

  async close(): Promise<void> {
    this.#ready.reset();
    this.#heads.clear();
    await this.store.close();
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────────

  #headKey(domainId: string): string {
    return `${this.prefix}${domainId}/${METADATA_FILE}`;
  }

  /** Where a generation's own objects live (deleted whole with the knowledge base). */
  generationPrefix(domainId: string, generation: string): string {
    return `${this.prefix}${domainId}/.botknobs/${generation}/`;
  }

  #mirrorKey(domainId: string, path: string): string {
    return `${this.prefix}${domainId}/${path}`;
  }

  #contentKey(domainId: string, entry: FileEntry): string {
    return entry.blob ?? this.#mirrorKey(domainId, entry.path);
  }

  #source(domainId: string, generation: string): NodeSource {
    return nodeSource(
      this.store,
      domainId,
      `${this.generationPrefix(domainId, generation)}nodes/`,
      this.#nodes,
    );
  }

  #iso(at: number = this.#now()): string {
    return new Date(at).toISOString();
  }

  // ── reading the head ─────────────────────────────────────────────────────────────────────

  /** The head as stored now (revalidated by etag), tombstones included; null when absent. */
  async #readHead(domainId: string): Promise<CachedHead | null> {
    await this.initialize();
    const key = this.#headKey(domainId);
    const head = await this.store.head(key);
    if (!head) {
      this.#heads.delete(domainId);
      return null;
    }
    const cached = this.#heads.get(domainId);
    if (cached?.etag === head.etag) return cached;
    const body = await this.store.get(key);
    if (!body) return null;
    const doc = parseHead(domainId, new TextDecoder().decode(await readAll(body.body)));
    if (!isTombstone(doc)) checkRoot(domainId, doc.root);
    const entry: CachedHead = { etag: body.etag, doc };
    this.#heads.set(domainId, entry);
    return entry;
  }

  async #live(domainId: string): Promise<LiveHead | null> {
    const head = await this.#readHead(domainId);
    return head && !isTombstone(head.doc) ? (head as LiveHead) : null;
  }

  async #existing(domainId: string): Promise<LiveHead> {
    const head = await this.#live(domainId);
    if (!head) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    return head;
  }

  /**
   * Runs a read against the current head; when an object it points to is gone (a writer
   * replaced the head meanwhile and dropped it), reads again from the newer head.
   */
  async #read<T>(
    domainId: string,
    missing: T,
    fn: (head: LiveHead, source: NodeSource) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.#live(domainId);
      if (!head) return missing;
      try {
        return await fn(head, this.#source(domainId, head.doc.info.generation));
      } catch (error) {
        if (!(error instanceof StaleReadError)) throw error;
        const now = await this.#readHead(domainId);
        if (now?.etag === head.etag || attempt >= MAX_READ_ATTEMPTS) {
          throw new NotFoundError(
            `Knowledge base '${domainId}' is damaged: its head lists ${error.key}, which is missing`,
          );
        }
      }
    }
  }

  // ── committing ───────────────────────────────────────────────────────────────────────────

  #requireWritable(): void {
    if (!this.store.capabilities.conditionalPut && !this.#singleWriter) {
      throw new UnsupportedError(
        `Blob store '${this.store.name}' cannot compare-and-set, so concurrent writers could lose files: use a store with conditional puts, or pass singleWriter: true if only this process writes`,
      );
    }
  }

  /** Writes a head: compare-and-set on `ifMatch`, or plainly in single-writer mode. */
  async #putHead(
    domainId: string,
    doc: HeadDocument | Tombstone,
    ifMatch: string | null,
  ): Promise<boolean> {
    const meta = await this.store.put(
      this.#headKey(domainId),
      new TextEncoder().encode(JSON.stringify(doc)),
      {
        contentType: "application/json",
        ...(this.store.capabilities.conditionalPut ? { ifMatch } : {}),
      },
    );
    if (meta) this.#heads.set(domainId, { etag: meta.etag, doc });
    return meta !== null;
  }

  /**
   * Applies `edit` to the current head and replaces it by compare-and-set, retrying against
   * writers in other processes (writers in this one queue). `edit` may run more than once.
   * Returns what `edit` returned and the entries the change replaced or removed.
   */
  async #commit<T>(
    domainId: string,
    edit: (draft: Draft, head: HeadDocument) => Promise<T>,
  ): Promise<{ value: T; replaced: FileEntry[] }> {
    this.#requireWritable();
    return this.#lock.run(domainId, async () => {
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const head = await this.#existing(domainId);
        const { generation } = head.doc.info;
        const source = this.#source(domainId, generation);
        const draft = new Draft(head.doc.info, head.doc.root, source);
        let value: T;
        let tree: Awaited<ReturnType<typeof applyChanges>>;
        const replaced: FileEntry[] = [];
        try {
          value = await edit(draft, head.doc);
          if (!draft.dirty) return { value, replaced };
          for (const path of draft.changes.keys()) {
            const before = await lookup(head.doc.root, path, source);
            if (before) replaced.push(before);
          }
          tree = await applyChanges(head.doc.root, draft.changes, source, this.#shape);
        } catch (error) {
          if (error instanceof StaleReadError) continue; // the head moved on: read it again
          throw error;
        }
        await Promise.all(
          [...tree.written].map(([key, node]) =>
            this.store.put(key, new TextEncoder().encode(JSON.stringify(node)), {
              contentType: "application/json",
            }),
          ),
        );
        const { count, bytes } = totals(tree.root);
        const doc: HeadDocument = {
          ...head.doc,
          info: { ...draft.info, file_count: count, total_size_bytes: bytes },
          root: tree.root,
          ...(draft.leaseUntil !== undefined ? { lease_until: draft.leaseUntil } : {}),
        };
        if (await this.#putHead(domainId, doc, head.etag)) {
          await this.#deleteQuietly(tree.dropped);
          return { value, replaced };
        }
        await this.#deleteQuietly([...tree.written.keys()]);
      }
      throw new ConflictError(
        `Knowledge base '${domainId}' kept changing under concurrent writers (${MAX_COMMIT_ATTEMPTS} attempts)`,
      );
    });
  }

  async #deleteQuietly(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.store.delete(keys);
    } catch (error) {
      // Left behind, they are unreferenced: `sweep` removes them.
      this.#report(error, `deleting ${keys.length} replaced objects`);
    }
  }

  /** Bumps the version and stamps the time when files changed. */
  #stamp(draft: Draft): void {
    draft.info.version = incrementVersion(draft.info.version);
    draft.info.last_updated = this.#iso();
  }

  // ── knowledge bases ──────────────────────────────────────────────────────────────────────

  async createKb(
    domainId: string,
    options: { metadata?: JsonObject } = {},
  ): Promise<KnowledgeBaseInfo> {
    validateDomain(domainId);
    const metadata = validateMetadata(options.metadata);
    this.#requireWritable();
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
    const created = await this.#lock.run(domainId, async () => {
      const current = await this.#readHead(domainId);
      if (current && !isTombstone(current.doc)) return false;
      return this.#putHead(domainId, doc, current?.etag ?? null);
    });
    if (!created) throw new ConflictError(`Knowledge base '${domainId}' already exists`);
    return new KnowledgeBaseInfo(info);
  }

  async getInfo(domainId: string): Promise<KnowledgeBaseInfo | null> {
    validateDomain(domainId);
    const head = await this.#live(domainId);
    return head ? new KnowledgeBaseInfo(effectiveInfo(head.doc, this.#now())) : null;
  }

  /** The domain ids that have a head (live or deleted), sorted. */
  async #domains(): Promise<string[]> {
    await this.initialize();
    const domains = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.store.list({
        prefix: this.prefix,
        delimiter: "/",
        ...(cursor ? { cursor } : {}),
      });
      for (const p of page.prefixes) domains.add(p.slice(this.prefix.length, -1));
      cursor = page.cursor;
    } while (cursor);
    return [...domains].sort();
  }

  async listKbs(): Promise<KnowledgeBaseInfo[]> {
    const infos: KnowledgeBaseInfo[] = [];
    for (const d of await this.#domains()) {
      const head = await this.#live(d).catch(() => null);
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
    this.#requireWritable();
    const gone = await this.#lock.run(domainId, async () => {
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const head = await this.#live(domainId);
        if (!head) return null;
        const tomb: Tombstone = {
          format: HEAD_FORMAT,
          format_version: HEAD_FORMAT_VERSION,
          deleted: true,
          generation: head.doc.info.generation,
          deleted_at: this.#iso(),
        };
        if (await this.#putHead(domainId, tomb, head.etag)) return head.doc;
      }
      throw new ConflictError(`Knowledge base '${domainId}' kept changing while being deleted`);
    });
    if (!gone) return false;
    const { generation } = gone.info;
    const copies: string[] = [];
    for await (const entry of scan(gone.root, "", this.#source(domainId, generation)))
      copies.push(this.#mirrorKey(domainId, entry.path));
    for (let i = 0; i < copies.length; i += 1000)
      await this.#deleteQuietly(copies.slice(i, i + 1000));
    await this.#deletePrefix(this.generationPrefix(domainId, generation));
    return true;
  }

  async #deletePrefix(prefix: string): Promise<void> {
    for (;;) {
      const page = await this.store.list({ prefix, limit: 1000 });
      if (page.objects.length === 0) return;
      await this.store.delete(page.objects.map((o) => o.key));
    }
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

  #plan(e: PutFileEntry): Omit<PlannedFile, "checksum"> {
    validateFilePath(e.path);
    const contentType = e.contentType ?? contentTypeFor(e.path);
    if (typeof contentType !== "string" || contentType === "")
      throw new ValidationError("Invalid contentType: expected a non-empty string");
    if (
      !isByteStream(e.content) &&
      typeof e.content !== "string" &&
      !(e.content instanceof Uint8Array)
    )
      throw new ValidationError(
        `Invalid content for '${e.path}': expected Uint8Array, string or ReadableStream`,
      );
    if (e.size !== undefined && !(Number.isSafeInteger(e.size) && e.size >= 0))
      throw new ValidationError(`Invalid size ${e.size} for '${e.path}': expected a byte count`);
    return {
      path: e.path,
      content: e.content,
      contentType,
      metadata: validateMetadata(e.metadata),
      keepMetadata: e.metadata === undefined,
      ...(e.size !== undefined ? { size: e.size } : {}),
    };
  }

  /**
   * Stores many files with one head write and one version step (bulk uploads). Every path is
   * checked before anything is written. If a content upload fails, the files uploaded before it
   * are still recorded, then the error is thrown.
   */
  async putFiles(domainId: string, entries: PutFileEntry[]): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    const planned: PlannedFile[] = [];
    for (const e of entries) {
      const p = this.#plan(e);
      planned.push({ ...p, checksum: await checksumIfBytes(p.content) });
    }
    this.#requireWritable();
    const head = await this.#existing(domainId);
    const { generation } = head.doc.info;
    await this.#precheck(domainId, head, planned);
    // Upload: bytes identical to what is listed are not uploaded again.
    let failure: unknown;
    let uploadedCount = 0;
    const source = this.#source(domainId, generation);
    for (const p of planned) {
      const current = await lookup(head.doc.root, p.path, source).catch(() => null);
      if (
        current &&
        p.checksum &&
        p.keepMetadata &&
        sameContent(current, p.checksum, p.contentType)
      ) {
        uploadedCount++;
        continue;
      }
      try {
        await this.#upload(domainId, generation, p);
        uploadedCount++;
      } catch (error) {
        failure = error;
        break;
      }
    }
    const batch = planned.slice(0, uploadedCount);
    let results: KnowledgeFile[];
    try {
      results = await this.#record(domainId, generation, batch);
    } catch (error) {
      await this.#deleteQuietly(batch.flatMap((p) => (p.uploaded ? [p.uploaded.blob] : [])));
      throw error;
    }
    if (failure !== undefined) throw failure;
    return results;
  }

  async #upload(domainId: string, generation: string, p: PlannedFile): Promise<void> {
    const blob = `${this.generationPrefix(domainId, generation)}blobs/${crypto.randomUUID()}`;
    const stored = await upload(this.store, blob, p.content, {
      path: p.path,
      contentType: p.contentType,
      maxBytes: this.#maxFileBytes,
      ...(p.size !== undefined ? { size: p.size } : {}),
    });
    p.uploaded = { blob, ...stored };
  }

  /** Refuses, before any upload, a batch that breaks the file-or-folder rule. */
  async #precheck(domainId: string, head: LiveHead, planned: PlannedFile[]): Promise<void> {
    const draft = new Draft(
      head.doc.info,
      head.doc.root,
      this.#source(domainId, head.doc.info.generation),
    );
    for (const p of planned) {
      if (!(await draft.get(p.path))) await draft.checkPlacement(p.path);
      draft.set(p.path, { path: p.path } as FileEntry);
    }
  }

  /** Records uploaded files in the head (one version step); uploads again what went stale. */
  async #record(
    domainId: string,
    generation: string,
    batch: PlannedFile[],
  ): Promise<KnowledgeFile[]> {
    for (let round = 0; ; round++) {
      const stale: PlannedFile[] = [];
      const unlisted: string[] = [];
      const changed: string[] = [];
      const { value: results, replaced } = await this.#commit(domainId, async (draft) => {
        if (draft.info.generation !== generation)
          throw new NotFoundError(`Knowledge base '${domainId}' was deleted during the upload`);
        stale.length = unlisted.length = changed.length = 0;
        const out: KnowledgeFile[] = [];
        for (const p of batch) {
          const current = await draft.get(p.path);
          const checksum = p.uploaded?.checksum ?? p.checksum;
          if (
            current &&
            p.keepMetadata &&
            checksum &&
            sameContent(current, checksum, p.contentType)
          ) {
            // Identical bytes are not a change: no new version, and the new upload is dropped.
            if (p.uploaded) unlisted.push(p.uploaded.blob);
            out.push(this.#file(current));
            continue;
          }
          if (!p.uploaded) {
            // It was identical when the batch started, but someone changed it since.
            stale.push(p);
            continue;
          }
          if (!current) await draft.checkPlacement(p.path);
          const entry: FileEntry = {
            path: p.path,
            checksum: p.uploaded.checksum,
            size_bytes: p.uploaded.sizeBytes,
            content_type: p.contentType,
            uploaded_at: this.#iso(),
            blob: p.uploaded.blob,
            metadata: p.metadata,
          };
          draft.set(p.path, entry);
          changed.push(p.path);
          out.push(this.#file(entry));
        }
        if (changed.length > 0) this.#stamp(draft);
        return out;
      });
      await this.#afterCommit(domainId, replaced, unlisted, changed);
      if (stale.length === 0 || round >= 3) return results;
      for (const p of stale) await this.#upload(domainId, generation, p);
    }
  }

  /** After a commit: drops bytes no head lists any more, and brings the copies in step. */
  async #afterCommit(
    domainId: string,
    replaced: FileEntry[],
    unlisted: string[],
    changed: string[],
  ): Promise<void> {
    // Bytes from before format 2 sit at the copy's place: without copies, they go too.
    const garbage = replaced.flatMap((e) =>
      e.blob !== null ? [e.blob] : this.#mirror ? [] : [this.#mirrorKey(domainId, e.path)],
    );
    await this.#deleteQuietly([...garbage, ...unlisted]);
    await this.#syncCopies(domainId, changed);
  }

  /** The entries of `paths` in the current head (null: not listed); null when the domain is gone. */
  #entriesNow(domainId: string, paths: string[]): Promise<Map<string, FileEntry | null> | null> {
    return this.#read(domainId, null, async (head, source) => {
      const found = new Map<string, FileEntry | null>();
      for (const p of paths) found.set(p, await lookup(head.doc.root, p, source));
      return found;
    });
  }

  /**
   * Brings the copies at `<domain>/<path>` in step with the list for `paths`. Writers finishing
   * in another order may copy an older version last; each writer checks the list again after
   * copying and repeats for what moved, so the last one to finish leaves the copies current.
   */
  async #syncCopies(domainId: string, paths: string[]): Promise<void> {
    if (!this.#mirror || paths.length === 0) return;
    let pending = paths;
    let lastError: unknown;
    for (let round = 0; round < 6 && pending.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 5 * round));
      const want = await this.#entriesNow(domainId, pending);
      if (!want) return; // deleted: deleteKb removes the copies
      const failed = new Set<string>();
      for (const [path, entry] of want) {
        try {
          const key = this.#mirrorKey(domainId, path);
          if (!entry) await this.store.delete(key);
          else if (entry.blob !== null) await copyObject(this.store, entry.blob, key);
        } catch (error) {
          // A file where a folder must go (`a` deleted by a writer that has not yet removed its copy).
          failed.add(path);
          lastError = error;
        }
      }
      const now = await this.#entriesNow(domainId, pending);
      if (!now) return;
      pending = pending.filter(
        (p) => failed.has(p) || (want.get(p)?.blob ?? null) !== (now.get(p)?.blob ?? null),
      );
    }
    if (pending.length > 0)
      this.#report(
        lastError ?? new Error("the list kept changing"),
        `copying ${pending.length} file(s) of '${domainId}' to <domain>/<path> (repairCopies or sweep brings them in step)`,
      );
  }

  /**
   * Makes the copies at `<domain>/<path>` match the file list exactly: missing or different ones
   * are copied, stray ones removed (after a crash between a commit and its copy). Returns how
   * many it changed.
   * @example
   * await backend.repairCopies("support");
   */
  async repairCopies(domainId: string): Promise<number> {
    validateDomain(domainId);
    if (!this.#mirror) return 0;
    const base = `${this.prefix}${domainId}/`;
    const present = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix: base, ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) {
        const rest = o.key.slice(base.length);
        if (rest !== METADATA_FILE && !rest.startsWith(".botknobs/")) present.set(rest, o.size);
      }
      cursor = page.cursor;
    } while (cursor);
    const listed = await this.#read(domainId, null, async (head, source) => {
      const all: FileEntry[] = [];
      for await (const e of scan(head.doc.root, "", source)) all.push(e);
      return all;
    });
    if (!listed) return 0;
    let changed = 0;
    const keep = new Set<string>();
    for (const e of listed) {
      keep.add(e.path);
      if (e.blob === null || present.get(e.path) === e.size_bytes) continue;
      await copyObject(this.store, e.blob, this.#mirrorKey(domainId, e.path));
      changed++;
    }
    const stray = [...present.keys()].filter((p) => !keep.has(p));
    await this.store.delete(stray.map((p) => this.#mirrorKey(domainId, p)));
    return changed + stray.length;
  }

  /**
   * Removes what crashed or raced writers left behind: objects no head lists any more (older than
   * `olderThanMs`, default one hour, so uploads in progress are safe), everything of deleted
   * knowledge bases and of their earlier generations, and stray or stale copies. Run it at
   * start-up or from a scheduled job; returns the number of objects removed or repaired.
   * @example
   * await backend.sweep();
   */
  async sweep(options: { olderThanMs?: number } = {}): Promise<number> {
    const cutoff = this.#now() - (options.olderThanMs ?? 3_600_000);
    let removed = 0;
    for (const d of await this.#domains()) {
      const head = await this.#readHead(d).catch(() => null);
      if (!head) continue;
      const base = `${this.prefix}${d}/.botknobs/`;
      if (isTombstone(head.doc)) {
        if (Date.parse(head.doc.deleted_at) >= cutoff) continue;
        const keys = await this.#keysUnder(`${this.prefix}${d}/`, () => true);
        const rest = keys.filter((k) => k !== this.#headKey(d));
        await this.store.delete(rest);
        removed += rest.length;
        // Only if nobody created it again meanwhile.
        if ((await this.store.head(this.#headKey(d)))?.etag === head.etag) {
          await this.store.delete(this.#headKey(d));
          this.#heads.delete(d);
          removed++;
        }
        continue;
      }
      const { generation } = head.doc.info;
      const source = this.#source(d, generation);
      const referenced = new Set<string>();
      for await (const key of nodeKeys(head.doc.root, source)) referenced.add(key);
      for await (const e of scan(head.doc.root, "", source)) if (e.blob) referenced.add(e.blob);
      const mine = this.generationPrefix(d, generation);
      const garbage = await this.#keysUnder(base, (key, uploaded) => {
        if (uploaded >= cutoff) return false;
        if (!key.startsWith(mine)) return true; // an earlier generation
        const rest = key.slice(mine.length);
        return (rest.startsWith("blobs/") || rest.startsWith("nodes/")) && !referenced.has(key);
      });
      await this.store.delete(garbage);
      removed += garbage.length + (await this.repairCopies(d));
    }
    return removed;
  }

  async #keysUnder(
    prefix: string,
    keep: (key: string, uploaded: number) => boolean,
  ): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix, ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) if (keep(o.key, o.uploaded.getTime())) keys.push(o.key);
      cursor = page.cursor;
    } while (cursor);
    return keys;
  }

  #file(entry: FileEntry): KnowledgeFile {
    return KnowledgeFile.fromDict({ ...entry, metadata: entry.metadata as JsonObject });
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
    return this.#read(domainId, null, async (head, source) => {
      const entry = await lookup(head.doc.root, path, source);
      if (!entry) return null;
      const key = this.#contentKey(domainId, entry);
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
    if (!(await this.#live(domainId))) return false;
    const { value: existed, replaced } = await this.#commit(domainId, async (draft) => {
      if (!(await draft.get(path))) return false;
      draft.set(path, null);
      this.#stamp(draft);
      return true;
    });
    if (existed) await this.#afterCommit(domainId, replaced, [], [path]);
    return existed;
  }

  async listFiles(domainId: string, options: { prefix?: string } = {}): Promise<KnowledgeFile[]> {
    validateDomain(domainId);
    return this.#read(domainId, [], async (head, source) => {
      const files: KnowledgeFile[] = [];
      for await (const entry of scan(head.doc.root, options.prefix ?? "", source))
        files.push(this.#file(entry));
      return files;
    });
  }

  async fileExists(domainId: string, path: string): Promise<boolean> {
    validateDomain(domainId);
    validateFilePath(path);
    return this.#read(
      domainId,
      false,
      async (head, source) => (await lookup(head.doc.root, path, source)) !== null,
    );
  }

  async getChecksum(domainId: string): Promise<string> {
    validateDomain(domainId);
    return this.#checksum(domainId);
  }

  /** The checksum, computed once per head. */
  async #checksum(domainId: string): Promise<string> {
    await this.#existing(domainId);
    return this.#read(domainId, "", async (head, source) => {
      head.checksum ??= (async () => {
        const lines: string[] = [];
        for await (const e of scan(head.doc.root, "", source))
          lines.push(`${e.path}:${e.checksum}`);
        lines.sort();
        return lines.length === 0 ? "" : sha256Hex(lines.join("\n"));
      })();
      return head.checksum;
    });
  }

  async hasChangesSince(domainId: string, versionOrChecksum: string): Promise<boolean> {
    validateDomain(domainId);
    const head = await this.#existing(domainId);
    if (versionOrChecksum === head.doc.info.version) return false;
    return versionOrChecksum !== (await this.#checksum(domainId));
  }

  /**
   * Sets status and error; does not change the version. `ingesting` claims the knowledge base
   * for `ingestionLeaseMs`: set it again to renew the claim; a claim that runs out shows as
   * `error` (the process that ingested stopped), so a status never stays `ingesting` forever.
   */
  async setIngestionStatus(
    domainId: string,
    status: IngestionStatus | string,
    error: string | null = null,
  ): Promise<void> {
    validateDomain(domainId);
    const value = validateIngestionStatus(status);
    await this.#commit(domainId, async (draft) => {
      draft.info.ingestion_status = value;
      draft.info.ingestion_error = value === IngestionStatus.ERROR || error ? error : null;
      draft.leaseUntil =
        value === IngestionStatus.INGESTING ? this.#iso(this.#now() + this.#leaseMs) : null;
      draft.touch();
    });
  }
}
