/**
 * {@link BrowserSync}: keeps a local copy of a botknobs server (`botknobs/server` or the Worker)
 * in IndexedDB, for a page that goes on working offline: the registry pulled by revision into an
 * {@link IndexedDBRecordStore} (under a `StoreRegistryBackend`), knowledge files by checksum into
 * a knowledge backend over an {@link IndexedDBBlobStore}; only what changed is fetched, and only
 * knowledge bases whose files changed are ingested again.
 *
 * The local copy is a mirror: a pass overwrites local edits with the server's state.
 * @module
 */
import { get, set } from "idb-keyval";
import { errorMessage } from "../../core/errors.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { BrowserDatabase, type BrowserDatabaseOptions } from "./browser-database.ts";
import {
  type FileProgress,
  type FilesSyncResult,
  FileTransfers,
  syncFiles,
} from "./browser-sync-files.ts";
import { SyncHttp, type SyncHttpOptions, UnreachableError } from "./browser-sync-http.ts";
import { type RegistrySyncResult, syncRegistry } from "./browser-sync-registry.ts";

export type { FileProgress, FilesSyncResult } from "./browser-sync-files.ts";
export type { RegistrySyncResult } from "./browser-sync-registry.ts";

/** Options of {@link BrowserSync}. */
export interface BrowserSyncOptions extends SyncHttpOptions, BrowserDatabaseOptions {
  /** The local registry (an `IndexedDBRecordStore`); without it the registry is not synced. */
  registry?: RecordStore;
  /** The local knowledge (a `BlobKnowledgeBackend` over an `IndexedDBBlobStore`); without it, no files. */
  knowledge?: KnowledgeResourceBackend;
  /** The knowledge bases to mirror (default: every one the server lists). */
  domains?: string[];
  /** Runs after a knowledge base's files changed (e.g. `(d) => ingestion.ingest(d)`: incremental). */
  ingest?: (domainId: string) => Promise<unknown>;
  /** Bytes per ranged request, and per block kept for a resume (default 1 MiB). */
  blockBytes?: number;
  /** Told of each block of a file received. */
  onProgress?: (progress: FileProgress) => void;
}

/** Where the sync stands. */
export type SyncStatus = "idle" | "syncing" | "online" | "offline";

/** The state {@link BrowserSync.state} reports (and `onState` listeners receive). */
export interface SyncState {
  /** `idle` before the first pass; `online` after one that reached the server; `offline` when it could not. */
  status: SyncStatus;
  /** The server's registry revision held locally (kept across reloads), or `null`. */
  lastSyncedRevision: string | null;
  /** When a pass last completed (ISO-8601), or `null`. */
  lastSyncedAt: string | null;
  /** Why the last pass failed (unreachable, or the server's answer), if it did. */
  error?: string;
}

/** What one {@link BrowserSync.sync} did. */
export interface SyncReport {
  /** False: the server was unreachable; the local copy is as it was. */
  reached: boolean;
  registry?: RegistrySyncResult;
  files: FilesSyncResult[];
  /** Knowledge bases ingested again (their files changed). */
  ingested: string[];
}

interface Persisted {
  revision: string;
  etag: string;
  at: string;
}

/**
 * Pulls a server's registry and knowledge into IndexedDB, reporting online/syncing/offline.
 * @example
 * const db = { dbName: "my-app" };
 * const records = new IndexedDBRecordStore(db);
 * const knowledge = new BlobKnowledgeBackend({ store: new IndexedDBBlobStore(db) });
 * const sync = new BrowserSync({ baseUrl: "https://bots.example.com", authToken, registry: records, knowledge, ...db });
 * sync.onState((s) => console.log(s.status, s.lastSyncedRevision));
 * await sync.sync(); // again on `online`, on a timer, or on a registry event
 * const bots = new StoreRegistryBackend(records); // reads work offline
 */
export class BrowserSync {
  readonly #options: BrowserSyncOptions;
  readonly #http: SyncHttp;
  readonly #db: BrowserDatabase;
  readonly #transfers: FileTransfers;
  readonly #listeners = new Set<(state: SyncState) => void>();
  readonly #key: string;
  #state: SyncState = { status: "idle", lastSyncedRevision: null, lastSyncedAt: null };
  #loaded: Promise<void> | undefined;
  #running: Promise<SyncReport> | undefined;

  constructor(options: BrowserSyncOptions) {
    this.#options = options;
    this.#http = new SyncHttp(options);
    this.#db = new BrowserDatabase("browser-sync", options);
    this.#transfers = new FileTransfers(this.#http, this.#db, options.blockBytes ?? 1024 * 1024);
    this.#key = `sync-state:${options.baseUrl.replace(/\/+$/, "")}`;
  }

  /** The current state (a copy). */
  get state(): SyncState {
    return { ...this.#state };
  }

  /** Calls `listener` on every change of state; returns the unsubscribe. */
  onState(listener: (state: SyncState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the revision kept by an earlier visit (done by the first `sync`, or call it early). */
  load(): Promise<void> {
    this.#loaded ??= get<Persisted>(this.#key, this.#db.keyval("meta")).then((kept) => {
      if (kept && this.#state.lastSyncedRevision === null)
        this.#set({ lastSyncedRevision: kept.revision, lastSyncedAt: kept.at });
    });
    return this.#loaded;
  }

  /**
   * One pass: registry, then each knowledge base. Unreachable server: resolves with `reached:
   * false` and state `offline` (the local copy untouched). Another answer than expected (a 401):
   * rejects, state `offline` with the error. A pass already running is joined, not doubled.
   */
  sync(options: { signal?: AbortSignal } = {}): Promise<SyncReport> {
    this.#running ??= this.#pass(options.signal).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(signal: AbortSignal | undefined): Promise<SyncReport> {
    await this.load();
    const before = this.#state.status;
    this.#set({ status: "syncing" });
    const report: SyncReport = { reached: true, files: [], ingested: [] };
    try {
      if (this.#options.registry) {
        const kept = await get<Persisted>(this.#key, this.#db.keyval("meta"));
        report.registry = await syncRegistry(
          this.#http,
          this.#options.registry,
          kept ?? null,
          signal,
        );
      }
      await this.#knowledge(report, signal);
      const at = new Date().toISOString();
      const revision = report.registry?.revision ?? null;
      const etag = report.registry?.etag ?? null;
      if (revision !== null && etag !== null)
        await set(this.#key, { revision, etag, at } satisfies Persisted, this.#db.keyval("meta"));
      this.#set(
        {
          status: "online",
          lastSyncedRevision: revision ?? this.#state.lastSyncedRevision,
          lastSyncedAt: at,
        },
        true,
      );
      return report;
    } catch (error) {
      if (signal?.aborted) {
        this.#set({ status: before === "syncing" ? "idle" : before });
        throw error;
      }
      this.#set({ status: "offline", error: errorMessage(error) });
      if (error instanceof UnreachableError) return { ...report, reached: false };
      throw error;
    }
  }

  async #knowledge(report: SyncReport, signal: AbortSignal | undefined): Promise<void> {
    const knowledge = this.#options.knowledge;
    if (!knowledge) return;
    const domains =
      this.#options.domains ??
      (await this.#http.json<{ items: { domain_id: string }[] }>("kb", signal)).items.map(
        (kb) => kb.domain_id,
      );
    for (const domainId of domains) {
      const files = await syncFiles(
        this.#http,
        this.#transfers,
        knowledge,
        domainId,
        signal,
        this.#options.onProgress,
      );
      report.files.push(files);
      if (this.#options.ingest && files.fetched.length + files.deleted.length > 0) {
        await this.#options.ingest(domainId);
        report.ingested.push(domainId);
      }
    }
  }

  #set(change: Partial<SyncState>, clearError = false): void {
    const next = { ...this.#state, ...change };
    if (clearError) delete next.error;
    this.#state = next;
    for (const listener of this.#listeners) listener(this.state);
  }

  /** Closes the sync's connection to the database (the stores given are the caller's to close). */
  close(): Promise<void> {
    return this.#db.close();
  }
}
