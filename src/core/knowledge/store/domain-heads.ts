/**
 * {@link DomainHeads}: reading and replacing the heads of knowledge bases in a blob store — the
 * one mechanism every change goes through. A head is revalidated by its etag on each read; a
 * change is prepared as a {@link Draft}, its new file-list nodes written under fresh keys, and
 * the head replaced by compare-and-set (retried against writers in other processes; writers in
 * this process queue per domain).
 * @module
 */
import type { BlobStore } from "../../blob/types.ts";
import { ConflictError, NotFoundError, UnsupportedError } from "../../errors.ts";
import type { ErrorReporter } from "../../events/types.ts";
import { KeyedLock } from "../../util/keyed-lock.ts";
import { readAll } from "../../util/streams.ts";
import { Draft } from "./draft.ts";
import { checkRoot, type HeadDocument, isTombstone, parseHead, type Tombstone } from "./head.ts";
import {
  applyChanges,
  type FileEntry,
  lookup,
  type NodeSource,
  type TreeNode,
  type TreeShape,
  totals,
} from "./manifest-tree.ts";
import { BoundedCache, nodeSource, StaleReadError } from "./nodes.ts";
import { METADATA_FILE } from "./paths.ts";

/** A head as read, with the etag it was read at and its checksum once computed. */
export interface CachedHead {
  etag: string;
  doc: HeadDocument | Tombstone;
  checksum?: Promise<string>;
}

/** The head of a knowledge base that exists. */
export type LiveHead = CachedHead & { doc: HeadDocument };

/** Options of {@link DomainHeads}. */
export interface DomainHeadsOptions {
  store: BlobStore;
  /** Normalised key prefix (`""` or ending in `/`). */
  prefix: string;
  shape: TreeShape;
  singleWriter: boolean;
  report: ErrorReporter;
  /** Set-up to await before the first read. */
  ready: () => Promise<void>;
}

const MAX_COMMIT_ATTEMPTS = 50;
const MAX_READ_ATTEMPTS = 5;

export class DomainHeads {
  readonly store: BlobStore;
  readonly prefix: string;
  /** Serialises this process's writers per domain. */
  readonly lock: KeyedLock = new KeyedLock();
  readonly #options: DomainHeadsOptions;
  readonly #heads = new Map<string, CachedHead>();
  readonly #nodes = new BoundedCache<TreeNode>(4096);

  constructor(options: DomainHeadsOptions) {
    this.store = options.store;
    this.prefix = options.prefix;
    this.#options = options;
  }

  headKey(domainId: string): string {
    return `${this.prefix}${domainId}/${METADATA_FILE}`;
  }

  /** Where a generation's own objects live (removed whole with the knowledge base). */
  generationPrefix(domainId: string, generation: string): string {
    return `${this.prefix}${domainId}/.botknobs/${generation}/`;
  }

  /** Where the copy of a file for other tools lives. */
  copyKey(domainId: string, path: string): string {
    return `${this.prefix}${domainId}/${path}`;
  }

  /** The store key of an upload of a generation. */
  blobKey(domainId: string, generation: string, id: string): string {
    return `${this.generationPrefix(domainId, generation)}blobs/${id}`;
  }

  /** Where a listed file's bytes are (files from before format 2 have them at the copy's place). */
  contentKey(domainId: string, generation: string, entry: FileEntry): string {
    return entry.blob === null
      ? this.copyKey(domainId, entry.path)
      : this.blobKey(domainId, generation, entry.blob);
  }

  source(domainId: string, generation: string): NodeSource {
    return nodeSource(
      this.store,
      domainId,
      `${this.generationPrefix(domainId, generation)}nodes/`,
      this.#nodes,
    );
  }

  /** Forgets cached heads (on close). */
  clear(): void {
    this.#heads.clear();
  }

  /** The head as stored now (revalidated by etag), tombstones included; null when absent. */
  async read(domainId: string): Promise<CachedHead | null> {
    await this.#options.ready();
    const key = this.headKey(domainId);
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

  async live(domainId: string): Promise<LiveHead | null> {
    const head = await this.read(domainId);
    return head && !isTombstone(head.doc) ? (head as LiveHead) : null;
  }

  async existing(domainId: string): Promise<LiveHead> {
    const head = await this.live(domainId);
    if (!head) throw new NotFoundError(`Knowledge base '${domainId}' does not exist`);
    return head;
  }

  /**
   * Runs a read against the current head; when an object it points to is gone (a writer
   * replaced the head meanwhile and dropped it), reads again from the newer head. With
   * `cachedFirst`, the first attempt uses the head this process last read or wrote, without
   * asking the store (for a check that is confirmed by a fresh read afterwards).
   */
  async withHead<T>(
    domainId: string,
    missing: T,
    fn: (head: LiveHead, source: NodeSource) => Promise<T>,
    cachedFirst = false,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const cached = cachedFirst && attempt === 0 ? this.#heads.get(domainId) : undefined;
      const head =
        cached && !isTombstone(cached.doc) ? (cached as LiveHead) : await this.live(domainId);
      if (!head) return missing;
      try {
        return await fn(head, this.source(domainId, head.doc.info.generation));
      } catch (error) {
        if (!(error instanceof StaleReadError)) throw error;
        const now = await this.read(domainId);
        if (now?.etag === head.etag || attempt >= MAX_READ_ATTEMPTS) {
          throw new NotFoundError(
            `Knowledge base '${domainId}' is damaged: its head lists ${error.key}, which is missing`,
          );
        }
      }
    }
  }

  /** Throws `UnsupportedError` when the store cannot compare-and-set and no single writer was declared. */
  requireWritable(): void {
    const { store, singleWriter } = this.#options;
    if (!store.capabilities.conditionalPut && !singleWriter) {
      throw new UnsupportedError(
        `Blob store '${store.name}' cannot compare-and-set, so concurrent writers could lose files: use a store with conditional puts, or pass singleWriter: true if only this process writes`,
      );
    }
  }

  /** Writes a head: compare-and-set on `ifMatch`, or plainly in single-writer mode. */
  async put(
    domainId: string,
    doc: HeadDocument | Tombstone,
    ifMatch: string | null,
  ): Promise<boolean> {
    const meta = await this.store.put(
      this.headKey(domainId),
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
   * Applies `edit` to the current head and replaces it by compare-and-set. `edit` may run more
   * than once. Returns what it returned and the entries the change replaced or removed.
   */
  async commit<T>(
    domainId: string,
    edit: (draft: Draft, head: HeadDocument) => Promise<T>,
  ): Promise<{ value: T; replaced: FileEntry[] }> {
    this.requireWritable();
    return this.lock.run(domainId, async () => {
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const head = await this.existing(domainId);
        const source = this.source(domainId, head.doc.info.generation);
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
          tree = await applyChanges(head.doc.root, draft.changes, source, this.#options.shape);
        } catch (error) {
          if (error instanceof StaleReadError) continue; // the head moved on: read it again
          throw error;
        }
        await Promise.all(
          [...tree.written].map(([id, node]) =>
            this.store.put(source.keyOf(id), new TextEncoder().encode(JSON.stringify(node)), {
              contentType: "application/json",
            }),
          ),
        );
        const { count, bytes } = totals(tree.root);
        const doc: HeadDocument = {
          ...head.doc,
          info: { ...draft.info, file_count: count, total_size_bytes: bytes },
          root: tree.root,
          ...(draft.lease !== undefined
            ? { lease_until: draft.lease?.until ?? null, lease_owner: draft.lease?.owner ?? null }
            : {}),
        };
        if (await this.put(domainId, doc, head.etag)) {
          await this.deleteQuietly(tree.dropped.map(source.keyOf));
          return { value, replaced };
        }
        await this.deleteQuietly([...tree.written.keys()].map(source.keyOf));
      }
      throw new ConflictError(
        `Knowledge base '${domainId}' kept changing under concurrent writers (${MAX_COMMIT_ATTEMPTS} attempts)`,
      );
    });
  }

  /** Deletes objects no head lists; a failure is reported (the sweep removes them later). */
  async deleteQuietly(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.store.delete(keys);
    } catch (error) {
      this.#options.report(error, `deleting ${keys.length} objects no file list uses`);
    }
  }

  /** The domain ids that have a head (live or deleted), sorted. */
  async domains(): Promise<string[]> {
    await this.#options.ready();
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

  /** Every key under `prefix` that `keep` accepts. */
  async keysUnder(
    prefix: string,
    keep: (key: string, uploaded: number, size: number) => boolean = () => true,
  ): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix, ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) if (keep(o.key, o.uploaded.getTime(), o.size)) keys.push(o.key);
      cursor = page.cursor;
    } while (cursor);
    return keys;
  }

  /** Forgets one cached head. */
  forget(domainId: string): void {
    this.#heads.delete(domainId);
  }
}
