/**
 * {@link BlobRecordStore}: the registry's {@link RecordStore} over any {@link BlobStore} — S3,
 * R2, a folder, memory — with compare-and-set through the store's conditional puts, and history.
 * @module
 */
import { folderPrefix, listAll } from "../blob/list.ts";
import type { BlobMeta, BlobStore } from "../blob/types.ts";
import { UnsupportedError } from "../errors.ts";
import { KeyedLock } from "../util/keyed-lock.ts";
import { mapLimit } from "../util/map-limit.ts";
import { sha256Hex } from "../util/sha256.ts";
import { readAll } from "../util/streams.ts";
import {
  type AccessDocument,
  BlobRecordLayout,
  checkLayoutRecord,
  decodeJson,
  encodeJson,
  type HeadDocument,
  isAccess,
  isHead,
  isRecordId,
  writeId,
} from "./blob-record-layout.ts";
import { type Page, type PageOptions, pageLimit } from "./page.ts";
import { checkKeepLast, checkPutRecord, historyCursor } from "./record-checks.ts";
import type {
  ListOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "./record-store.ts";
import { storedRecord } from "./record-table.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

/** Options of {@link BlobRecordStore}. */
export interface BlobRecordStoreOptions {
  store: BlobStore;
  /** Keys start with this (normalised to end with one `/`; default `registry/`). */
  prefix?: string;
  /**
   * Declares that only this process writes, so a store without conditional puts may be used
   * (its writes then queue in this process, and `capabilities.atomicWrites` is false). Without
   * it, writes to such a store throw `UnsupportedError` rather than risk losing a version.
   */
  singleWriter?: boolean;
  /** Objects read at once when a page of records is read (default 16). */
  concurrency?: number;
}

/** A head as read: its document and the etag a compare-and-set names. */
interface Head {
  doc: HeadDocument;
  etag: string;
}

const DAY_MS = 86_400_000;
const empty = new Uint8Array(0);

/**
 * Records in a blob store (layout: `blob-record-layout.ts`). Strongly consistent where the store
 * is (S3, R2, a folder, memory). `put` reads the head, copies the version it replaces into
 * history, then replaces the head by compare-and-set on its etag: two writers of one version
 * in any two processes, one wins. A crash between the two writes leaves an extra copy in
 * history, never a lost version. `revision()` hashes the heads' etags and the tombstones (one
 * listing), so it moves with every put, delete and clear, and never with a touch or a prune.
 * Listing filters nothing itself (`capabilities.filters` absent): the registry filters pages.
 * @example
 * const store = new BlobRecordStore({ store: new S3BlobStore({ bucket: "bots", ... }) });
 * const registry = new StoreRegistryBackend({ store });
 */
export class BlobRecordStore implements RecordStore {
  readonly store: BlobStore;
  readonly #keys: BlobRecordLayout;
  readonly #singleWriter: boolean;
  readonly #concurrency: number;
  readonly #lock = new KeyedLock();

  constructor(options: BlobRecordStoreOptions) {
    this.store = options.store;
    this.#keys = new BlobRecordLayout(
      folderPrefix(options.prefix ?? "registry/"),
      this.store.capabilities.maxNameBytes,
    );
    this.#singleWriter = options.singleWriter ?? false;
    this.#concurrency = options.concurrency ?? 16;
  }

  /** The blob store's name (`"s3"`, `"r2"`, `"fs"`, `"memory"`). */
  get name(): string {
    return this.store.name;
  }

  /** Compare-and-set exactly when the blob store has conditional puts (read when asked: a store may learn it at `initialize`). */
  get capabilities(): RecordStoreCapabilities {
    return {
      consistency: "strong",
      visibilityLagMs: 0,
      atomicWrites: this.store.capabilities.conditionalPut,
    };
  }

  initialize(): Promise<void> {
    return this.store.initialize();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    if (!isRecordId(botId)) return null;
    const [head, access] = await Promise.all([this.#head(botId), this.#access(botId)]);
    return head === null ? null : current(head.doc, access);
  }

  async list(options: ListOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const prefix = this.#keys.kind("r");
    const page = await this.store.list({
      prefix,
      limit,
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    });
    const ids = page.objects.map((o) => this.#keys.idOf(o.key));
    // A record deleted between the listing and the read is left out (it was not there throughout).
    const records = await mapLimit(ids, this.#concurrency, (id) => this.get(id));
    const items = records.filter((r): r is StoredRegistration => r !== null);
    return page.cursor === undefined ? { items } : { items, cursor: page.cursor };
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    checkPutRecord(record, expectedVersion);
    checkLayoutRecord(record);
    this.#requireWritable();
    const id = record.bot_id;
    return this.#lock.run(id, async () => {
      const head = await this.#head(id);
      if ((head?.doc.record.version ?? null) !== expectedVersion) return false;
      if (head) {
        // History first: the version the head moves past is kept before it does.
        const { inc, record: kept } = head.doc;
        await this.store.put(this.#keys.version(id, inc, kept.version), encodeJson(kept), {
          contentType: "application/json",
        });
      }
      const doc: HeadDocument = { inc: head?.doc.inc ?? writeId(), record };
      const written = await this.store.put(this.#keys.head(id), encodeJson(doc), {
        contentType: "application/json",
        ...(this.store.capabilities.conditionalPut ? { ifMatch: head?.etag ?? null } : {}),
      });
      return written !== null;
    });
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    if (!isRecordId(botId)) return false;
    this.#requireWritable();
    const head = await this.#head(botId);
    if (head?.doc.record.version !== version) return false;
    // A touch that loses a race with a put names the old version: readers ignore it.
    const access: AccessDocument = { inc: head.doc.inc, v: version, at: lastAccessedAt };
    await this.store.put(this.#keys.access(botId), encodeJson(access), {
      contentType: "application/json",
    });
    return true;
  }

  async delete(botId: string): Promise<boolean> {
    if (!isRecordId(botId)) return false;
    this.#requireWritable();
    return this.#lock.run(botId, async () => {
      const head = await this.#head(botId);
      if (head === null) return false;
      // The tombstone first: the revision moves before the record goes, never back.
      await this.#tombstone();
      await this.store.delete(this.#keys.head(botId));
      const kept = await listAll(this.store, this.#keys.versions(botId, head.doc.inc));
      await this.store.delete([this.#keys.access(botId), ...kept.map((o) => o.key)]);
      return true;
    });
  }

  async clear(): Promise<string[]> {
    this.#requireWritable();
    const prefix = this.#keys.kind("r");
    const heads = await listAll(this.store, prefix);
    if (heads.length === 0) return [];
    await this.#tombstone();
    await this.store.delete(heads.map((o) => o.key));
    // Every access and kept version, of these records and of any left by an interrupted delete.
    const rest = [
      ...(await listAll(this.store, this.#keys.kind("a"))),
      ...(await listAll(this.store, this.#keys.kind("h"))),
    ];
    await this.store.delete(rest.map((o) => o.key));
    return heads.map((o) => this.#keys.idOf(o.key));
  }

  async revision(): Promise<string> {
    const lines: string[] = [];
    for (const kind of ["r", "t"] as const)
      for (const o of await listAll(this.store, this.#keys.kind(kind)))
        lines.push(`${o.key} ${o.etag}`);
    return `${lines.length}-${(await sha256Hex(lines.join("\n"))).slice(0, 24)}`;
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    if (!isRecordId(botId)) return { items: [] };
    const head = await this.#head(botId);
    if (head === null) return { items: [] };
    const versions = [head.doc.record.version, ...(await this.#keptVersions(botId, head))];
    const wanted = versions.filter((v) => v < below);
    const page = wanted.slice(0, limit);
    const read = await mapLimit(page, this.#concurrency, (v) => this.#version(botId, head, v));
    // A version pruned meanwhile is left out.
    const items = read.filter((r): r is StoredRegistration => r !== null);
    return wanted.length > limit ? { items, cursor: String(page[page.length - 1]) } : { items };
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    if (!isRecordId(botId) || !Number.isSafeInteger(version) || version < 1) return null;
    const head = await this.#head(botId);
    return head === null ? null : this.#version(botId, head, version);
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    checkKeepLast(keepLast);
    if (!isRecordId(botId)) return 0;
    const head = await this.#head(botId);
    if (head === null) return 0;
    const kept = await this.#keptVersions(botId, head);
    // The current version counts as one of those kept.
    const doomed = kept.slice(keepLast - 1);
    await this.store.delete(doomed.map((v) => this.#keys.version(botId, head.doc.inc, v)));
    return doomed.length;
  }

  /** The head of a record, or null. */
  async #head(id: string): Promise<Head | null> {
    const key = this.#keys.head(id);
    const got = await this.store.get(key);
    if (got === null) return null;
    const doc = decodeJson(this.name, key, await readAll(got.body), isHead);
    return { doc, etag: got.etag };
  }

  async #access(id: string): Promise<AccessDocument | null> {
    const key = this.#keys.access(id);
    const got = await this.store.get(key);
    return got === null ? null : decodeJson(this.name, key, await readAll(got.body), isAccess);
  }

  /** The kept versions of the head's incarnation below the current one, newest first. */
  async #keptVersions(id: string, head: Head): Promise<number[]> {
    const current = head.doc.record.version;
    const kept = await listAll(this.store, this.#keys.versions(id, head.doc.inc));
    return kept.map((o: BlobMeta) => this.#keys.versionOf(o.key)).filter((v) => v < current);
  }

  /** One version as written: the head's, or a kept one. */
  async #version(id: string, head: Head, version: number): Promise<StoredRegistration | null> {
    const { inc, record } = head.doc;
    if (version === record.version) return storedRecord(record);
    if (version > record.version) return null;
    const key = this.#keys.version(id, inc, version);
    const got = await this.store.get(key);
    if (got === null) return null;
    return storedRecord(decodeJson(this.name, key, await readAll(got.body), (r) => "bot_id" in r));
  }

  /** Writes a tombstone; drops those older than a day (every reader has seen them by then). */
  async #tombstone(): Promise<void> {
    const prefix = this.#keys.kind("t");
    const old = await listAll(this.store, prefix);
    await this.store.put(this.#keys.tombstone(writeId(true)), empty);
    const cutoff = (Date.now() - DAY_MS).toString(36).padStart(9, "0");
    const stale = old.filter((o) => o.key.slice(prefix.length, prefix.length + 9) < cutoff);
    if (stale.length > 0) await this.store.delete(stale.map((o) => o.key));
  }

  #requireWritable(): void {
    if (!this.store.capabilities.conditionalPut && !this.#singleWriter)
      throw new UnsupportedError(
        `Blob store '${this.store.name}' cannot compare-and-set, so two writers could lose a version: use a store with conditional puts, or pass singleWriter: true if only this process writes`,
      );
  }
}

/** The current record: the head as written, with the last access of this very version. */
function current(doc: HeadDocument, access: AccessDocument | null): StoredRegistration {
  const record = storedRecord(doc.record);
  // Only an access to this version of this incarnation counts: a touch never reverts a put.
  if (access !== null && access.inc === doc.inc && access.v === record.version)
    record.last_accessed_at = access.at;
  return record;
}
