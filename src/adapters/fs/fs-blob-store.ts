/**
 * {@link FsBlobStore}: a {@link BlobStore} on the local file system. Keys are relative paths under
 * a root directory; every write goes to a temporary file in the same directory and is renamed
 * into place, so a reader sees the old object or the new one, never a part.
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import {
  copyFile,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checkDeclaredSize, checkPutSize } from "../../core/blob/checks.ts";
import { pageKeys } from "../../core/blob/list.ts";
import type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "../../core/blob/types.ts";
import { AdapterError, ConflictError, ValidationError } from "../../core/errors.ts";
import { checkNameBytes } from "../../core/knowledge/store/paths.ts";
import { bytesToStream } from "../../core/util/streams.ts";
import { linkIfAbsent, RESERVED_PREFIX, withFileLock } from "./fs-lock.ts";
import { sweepDirectory } from "./fs-sweep.ts";
import { TEMP_LEASE_MS, tempName, withLease } from "./fs-temp.ts";

/** Options of {@link FsBlobStore}. */
export interface FsBlobStoreOptions {
  root: string;
  /** Flush each file to disk before it replaces the old one (default true). */
  durable?: boolean;
  /**
   * What makes a replace, a delete and a compare-and-set one step for every process: runs `fn`
   * holding the lock of the key whose lock file would be `lockFile`. Default: that lock file
   * (`withFileLock`, a lease). `npm start` on SQLite passes a `SqliteLock`, an OS lock that dies
   * with its process: `(_, fn) => lock.run(fn)`.
   */
  lock?: <T>(lockFile: string, fn: () => Promise<T>) => Promise<T>;
}

/** The longest file name, in bytes (NAME_MAX). */
const MAX_NAME_BYTES = 255;

// Objects up to this size are read whole in one call rather than streamed in pieces.
const WHOLE_READ_BYTES = 16 * 1024 * 1024;

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/**
 * Objects as files under `root`. Writes, deletes and compare-and-set hold a lock file per key
 * (`withFileLock`, or the `lock` given), so `ifMatch` is atomic for every process of this host that opens the same
 * directory (not across hosts sharing a network file system).
 * @example
 * const store = new FsBlobStore({ root: "./data/knowledge" });
 */
export class FsBlobStore implements BlobStore {
  readonly name: string = "fs";
  readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: false,
    // NAME_MAX of Linux, macOS and Windows file systems.
    maxNameBytes: MAX_NAME_BYTES,
  };
  readonly root: string;
  readonly #durable: boolean;
  readonly #lock: <T>(lockFile: string, fn: () => Promise<T>) => Promise<T>;

  constructor(options: FsBlobStoreOptions) {
    if (typeof options?.root !== "string" || options.root === "")
      throw new ValidationError("FsBlobStore needs a root directory");
    this.root = resolve(options.root);
    this.#durable = options.durable ?? true;
    this.#lock = options.lock ?? ((file, fn) => withFileLock(file, fn));
  }

  #path(key: string): string {
    const path = resolve(this.root, key);
    // Keys come from validated domain ids and paths; this is the last line of defence.
    if (path !== this.root && !path.startsWith(this.root + sep))
      throw new ValidationError(`Key escapes the store root: ${key}`);
    if (key.split("/").some((s) => s.startsWith(RESERVED_PREFIX)))
      throw new ValidationError(`Key uses the reserved prefix ${RESERVED_PREFIX}: ${key}`);
    // A longer name is ENAMETOOLONG from the file system: say so as bad input, not as a failure.
    checkNameBytes(key, MAX_NAME_BYTES, "an object");
    return path;
  }

  /** The lock file of a key: beside it, named after it, or after its hash when that is too long. */
  #lockOf(path: string): string {
    const name = basename(path);
    const lock = `${RESERVED_PREFIX}lock-${name}`;
    if (Buffer.byteLength(lock) <= MAX_NAME_BYTES) return join(dirname(path), lock);
    const hash = createHash("sha256").update(name).digest("hex");
    return join(dirname(path), `${RESERVED_PREFIX}lock-${hash}`);
  }

  async initialize(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async close(): Promise<void> {}

  async head(key: string): Promise<BlobMeta | null> {
    return this.#stat(key, this.#path(key));
  }

  async #stat(key: string, path: string): Promise<BlobMeta | null> {
    try {
      const s = await stat(path, { bigint: true });
      if (!s.isFile()) return null;
      // A rename installs a new inode, so inode + size + nanosecond mtime changes with every write.
      return {
        key,
        size: Number(s.size),
        etag: `${s.ino.toString(36)}-${s.size.toString(36)}-${s.mtimeNs.toString(36)}`,
        uploaded: new Date(Number(s.mtimeMs)),
        contentType: null,
      };
    } catch (error) {
      if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") return null;
      throw new AdapterError("fs", `stat ${key} failed`, { cause: error });
    }
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    const path = this.#path(key);
    const meta = await this.#stat(key, path);
    if (!meta) return null;
    const { offset = 0, length } = options.range ?? {};
    if (meta.size === 0 || (length !== undefined && length <= 0) || offset >= meta.size)
      return { ...meta, body: bytesToStream(new Uint8Array(0)) };
    // A whole object of moderate size is read in one call (an index segment loads faster so).
    if (offset === 0 && length === undefined && meta.size <= WHOLE_READ_BYTES) {
      const bytes = await readFile(path).catch((error: unknown) => {
        if (codeOf(error) === "ENOENT") return null;
        throw error;
      });
      if (bytes === null) return null;
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { ...meta, size: view.length, body: bytesToStream(view, view.length || 1) };
    }
    const end = length === undefined ? undefined : offset + length - 1;
    // Large reads (an index segment) pass in few pieces: web-stream overhead is per piece.
    const nodeStream = createReadStream(path, {
      highWaterMark: 1 << 20,
      start: offset,
      ...(end !== undefined ? { end } : {}),
    });
    return { ...meta, body: Readable.toWeb(nodeStream) as ReadableStream<Uint8Array> };
  }

  /** Creates the directories of `path`; a file in the way is a `ConflictError` naming it. */
  async #mkdirFor(key: string, path: string): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      if (codeOf(error) === "ENOTDIR" || codeOf(error) === "EEXIST")
        throw new ConflictError(
          `Cannot store '${key}': a part of its folder path is a file in ${this.root}`,
          { cause: error },
        );
      throw error;
    }
  }

  /** Writes `body` to the temporary file `tmp` and flushes it; returns its length. */
  async #fillTemp(tmp: string, body: Uint8Array | ReadableStream<Uint8Array>): Promise<number> {
    if (body instanceof Uint8Array) {
      const handle = await open(tmp, "w");
      try {
        await handle.writeFile(body);
        if (this.#durable) await handle.sync();
      } finally {
        await handle.close();
      }
      return body.length;
    }
    let size = 0;
    const counted = Readable.fromWeb(
      body as import("node:stream/web").ReadableStream<Uint8Array>,
    ).on("data", (chunk: Uint8Array) => {
      size += chunk.length;
    });
    const out = createWriteStream(tmp);
    await pipeline(counted, out);
    if (this.#durable) {
      const handle = await open(tmp, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    return size;
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    checkDeclaredSize(options);
    const path = this.#path(key);
    await this.#mkdirFor(key, path);
    // Everything goes to a temporary file first: a broken stream never touches the object. Its
    // lease is renewed until it is installed, so no sweep takes it for a dead writer's.
    const tmp = join(dirname(path), tempName());
    try {
      return await withLease(tmp, async () => {
        checkPutSize(key, options, await this.#fillTemp(tmp, body));
        return this.#install(key, path, tmp, options.ifMatch);
      });
    } catch (error) {
      if (codeOf(error) === "EISDIR" || codeOf(error) === "ENOTEMPTY")
        throw new ConflictError(`Cannot store '${key}': it is a folder in ${this.root}`, {
          cause: error,
        });
      throw error;
    } finally {
      // Gone once installed (a link leaves it behind too), or when the write failed.
      await rm(tmp, { force: true }).catch(() => {});
    }
  }

  /**
   * Puts the temporary file in place. A key that does not exist yet is created with `link`,
   * which fails if it exists: atomic without a lock (most writes are new keys). Replacing an
   * object, and any compare-and-set, happen under the key's lock file, so a check and its rename
   * are one step for every process.
   */
  async #install(
    key: string,
    path: string,
    tmp: string,
    ifMatch: string | null | undefined,
  ): Promise<BlobMeta | null> {
    if (ifMatch === undefined || ifMatch === null) {
      if (await linkIfAbsent(tmp, path)) return this.#stat(key, path);
      if (ifMatch === null) return null; // create-only, and it exists
    }
    return this.#lock(this.#lockOf(path), async () => {
      if (ifMatch !== undefined) {
        const current = await this.#stat(key, path);
        if ((current?.etag ?? null) !== ifMatch) return null;
      }
      await rename(tmp, path);
      return this.#stat(key, path);
    });
  }

  /** A hard link (no bytes copied); a copy where links are not possible. */
  async copy(from: string, to: string): Promise<BlobMeta | null> {
    const source = this.#path(from);
    const target = this.#path(to);
    await this.#mkdirFor(to, target);
    const tmp = join(dirname(target), tempName());
    try {
      try {
        await link(source, tmp);
      } catch (error) {
        if (codeOf(error) === "ENOENT") return null;
        if (!["EXDEV", "EPERM", "ENOTSUP", "EMLINK"].includes(codeOf(error) ?? "")) throw error;
        await copyFile(source, tmp);
      }
      return await this.#install(to, target, tmp, undefined);
    } catch (error) {
      if (codeOf(error) === "EISDIR")
        throw new ConflictError(`Cannot store '${to}': it is a folder in ${this.root}`, {
          cause: error,
        });
      throw error;
    } finally {
      await rm(tmp, { force: true }).catch(() => {});
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    for (const key of typeof keys === "string" ? [keys] : keys) {
      const path = this.#path(key);
      if (!(await this.#stat(key, path))) continue;
      try {
        await this.#lock(this.#lockOf(path), () => unlink(path));
      } catch (error) {
        if (!["ENOENT", "ENOTDIR", "EISDIR", "EPERM"].includes(codeOf(error) ?? "")) throw error;
      }
      await this.#pruneDirs(dirname(path));
    }
  }

  /** Removes directories left empty, up to the root. */
  async #pruneDirs(from: string): Promise<void> {
    for (let dir = from; dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async #walk(dir: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(RESERVED_PREFIX)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.#walk(full, out);
      else if (entry.isFile()) out.push(relative(this.root, full).split(sep).join("/"));
    }
  }

  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const prefix = options.prefix ?? "";
    // Walk only the deepest directory the prefix names.
    const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const keys: string[] = [];
    await this.#walk(base ? this.#path(base) : this.root, keys);
    const page = pageKeys(keys, options);
    const objects: BlobMeta[] = [];
    for (const key of page.keys) {
      const meta = await this.#stat(key, this.#path(key));
      if (meta) objects.push(meta);
    }
    return {
      objects,
      prefixes: page.prefixes,
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    };
  }

  /**
   * Removes what a killed process left behind: temporary files of writes whose writer is gone
   * (a process of this host that died, at once; any other, once its lease lapsed: not renewed
   * for `olderThanMs`, default a minute, where a live writer renews every 10 s — see
   * fs-temp.ts), lock files whose owner has died, and the directories that leaves empty.
   * Returns what it removed.
   * @example
   * await store.sweep(); // at start-up, before serving
   */
  sweep(options: { olderThanMs?: number } = {}): Promise<{ files: number; bytes: number }> {
    return sweepDirectory(this.root, options.olderThanMs ?? TEMP_LEASE_MS);
  }
}
