/**
 * The knowledge half of {@link BrowserSync}: each knowledge base's file list (`GET
 * /kb/{domain}/files`, with each file's SHA-256 `checksum`, also its download `ETag`) against the
 * local copy; only files whose checksum differs are fetched, the ones gone removed.
 *
 * A file is fetched in blocks (`Range`, with `If-Range` on its ETag so a file changed meanwhile
 * comes back whole instead of spliced), each block kept in IndexedDB as it arrives: a sync cut off
 * mid-file resumes from the last block kept. The local knowledge base receives a file only whole
 * and with the listed checksum (one `putFile`, which replaces it atomically): never a torn file.
 * @module
 */
import { delMany, get, set } from "idb-keyval";
import { AdapterError } from "../../core/errors.ts";
import type { KnowledgeFileDict } from "../../core/knowledge/store/models.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import type { BrowserDatabase } from "./browser-database.ts";
import type { SyncHttp } from "./browser-sync-http.ts";

/** Progress of one file's transfer. */
export interface FileProgress {
  domainId: string;
  path: string;
  /** Bytes held so far (a resumed transfer starts above 0). */
  received: number;
  size: number;
}

/** What one knowledge base's pass changed. */
export interface FilesSyncResult {
  domainId: string;
  /** Paths fetched and stored (new or changed on the server). */
  fetched: string[];
  /** Paths removed locally (gone from the server). */
  deleted: string[];
  /** Paths whose content changed on the server while they were fetched: left for the next pass. */
  stale: string[];
}

/** Blocks kept of a transfer not finished yet. */
interface Partial {
  checksum: string;
  blocks: number;
  received: number;
}

const PARTIAL = "sync-partial:";

const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The transfers of one sync: blocks in the database's `meta` store until a file is whole. */
export class FileTransfers {
  readonly #http: SyncHttp;
  readonly #db: BrowserDatabase;
  readonly #blockBytes: number;

  constructor(http: SyncHttp, db: BrowserDatabase, blockBytes: number) {
    this.#http = http;
    this.#db = db;
    this.#blockBytes = blockBytes;
  }

  #key(domainId: string, path: string, block?: number): string {
    return `${PARTIAL}${domainId}\n${path}${block === undefined ? "" : `\n${block}`}`;
  }

  async #forget(domainId: string, path: string, partial: Partial | undefined): Promise<void> {
    if (!partial) return;
    const keys = [this.#key(domainId, path)];
    for (let i = 0; i < partial.blocks; i++) keys.push(this.#key(domainId, path, i));
    await delMany(keys, this.#db.keyval("meta"));
  }

  /**
   * The file's bytes with `file.checksum`, fetched from where a past transfer stopped; `null`
   * when the server's content is another now (changed since listed).
   */
  async fetch(
    domainId: string,
    file: KnowledgeFileDict,
    signal: AbortSignal | undefined,
    onProgress: ((progress: FileProgress) => void) | undefined,
  ): Promise<Uint8Array | null> {
    const store = this.#db.keyval("meta");
    const head = this.#key(domainId, file.path);
    let partial = await get<Partial>(head, store);
    if (partial && partial.checksum !== file.checksum) {
      await this.#forget(domainId, file.path, partial);
      partial = undefined;
    }
    const state: Partial = partial ?? { checksum: file.checksum, blocks: 0, received: 0 };
    const url = `kb/${encodeURIComponent(domainId)}/files/${encodePath(file.path)}`;
    const etag = `"${file.checksum}"`;
    let whole: Uint8Array | undefined;
    while (whole === undefined && (state.received < file.size_bytes || file.size_bytes === 0)) {
      const end = Math.min(state.received + this.#blockBytes, file.size_bytes) - 1;
      const ranged = file.size_bytes > 0;
      const response = await this.#http.get(
        url,
        ranged ? { range: `bytes=${state.received}-${end}`, "if-range": etag } : {},
        signal,
        [200, 206],
      );
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status === 200) {
        // Not a range: the whole file (it changed, or the server ignores ranges).
        whole = bytes;
        break;
      }
      if (bytes.length === 0)
        throw new AdapterError("browser-sync", `${url}: an empty block at ${state.received}`);
      await set(this.#key(domainId, file.path, state.blocks), bytes, store);
      state.blocks++;
      state.received += bytes.length;
      await set(head, state, store);
      onProgress?.({
        domainId,
        path: file.path,
        received: state.received,
        size: file.size_bytes,
      });
    }
    if (whole === undefined) whole = await this.#join(domainId, file.path, state);
    await this.#forget(domainId, file.path, state.blocks > 0 ? state : partial);
    return (await sha256Hex(whole)) === file.checksum ? whole : null;
  }

  async #join(domainId: string, path: string, state: Partial): Promise<Uint8Array> {
    const out = new Uint8Array(state.received);
    let at = 0;
    for (let i = 0; i < state.blocks; i++) {
      const block = await get<Uint8Array>(this.#key(domainId, path, i), this.#db.keyval("meta"));
      if (!block) throw new AdapterError("browser-sync", `block ${i} of ${path} is missing`);
      out.set(block, at);
      at += block.length;
    }
    return out;
  }
}

/**
 * One knowledge base's pass: the server's files into `knowledge` (created locally when missing).
 * @example
 * const result = await syncFiles(http, transfers, knowledge, "docs", signal, undefined);
 */
export async function syncFiles(
  http: SyncHttp,
  transfers: FileTransfers,
  knowledge: KnowledgeResourceBackend,
  domainId: string,
  signal: AbortSignal | undefined,
  onProgress: ((progress: FileProgress) => void) | undefined,
): Promise<FilesSyncResult> {
  const { items } = await http.json<{ items: KnowledgeFileDict[] }>(
    `kb/${encodeURIComponent(domainId)}/files`,
    signal,
  );
  if (!(await knowledge.getInfo(domainId))) await knowledge.createKb(domainId);
  const local = new Map((await knowledge.listFiles(domainId)).map((f) => [f.path, f.checksum]));
  const result: FilesSyncResult = { domainId, fetched: [], deleted: [], stale: [] };
  for (const file of items) {
    if (local.get(file.path) === file.checksum) continue;
    const bytes = await transfers.fetch(domainId, file, signal, onProgress);
    if (bytes === null) {
      result.stale.push(file.path);
      continue;
    }
    await knowledge.putFile(domainId, file.path, bytes, { contentType: file.content_type });
    result.fetched.push(file.path);
  }
  const remote = new Set(items.map((f) => f.path));
  for (const path of local.keys()) {
    if (remote.has(path)) continue;
    if (await knowledge.deleteFile(domainId, path)) result.deleted.push(path);
  }
  return result;
}
