/**
 * {@link FsBlobStore}: a {@link BlobStore} on the local file system. Keys are relative paths under
 * a root directory; every write goes to a temporary file in the same directory and is renamed
 * into place, so a reader sees the old object or the new one, never a part.
 * @module
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
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
import { AdapterError, ValidationError } from "../../core/errors.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";
import { bytesToStream } from "../../core/util/streams.ts";

const TMP_PREFIX = ".botknobs-tmp-";

/**
 * Objects as files under `root`.
 * @example
 * const store = new FsBlobStore({ root: "./data/knowledge" });
 */
export class FsBlobStore implements BlobStore {
  readonly name: string = "fs";
  // Compare-and-set holds within this process (a per-key lock around check + rename).
  readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: false,
  };
  readonly root: string;
  readonly #lock = new KeyedLock();

  constructor(options: { root: string }) {
    if (typeof options?.root !== "string" || options.root === "")
      throw new ValidationError("FsBlobStore needs a root directory");
    this.root = resolve(options.root);
  }

  #path(key: string): string {
    const path = resolve(this.root, key);
    // Keys come from validated domain ids and paths; this is the last line of defence.
    if (path !== this.root && !path.startsWith(this.root + sep))
      throw new ValidationError(`Key escapes the store root: ${key}`);
    if (key.split("/").some((s) => s.startsWith(TMP_PREFIX)))
      throw new ValidationError(`Key uses the reserved prefix ${TMP_PREFIX}: ${key}`);
    return path;
  }

  async initialize(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async close(): Promise<void> {}

  async head(key: string): Promise<BlobMeta | null> {
    try {
      const s = await stat(this.#path(key));
      if (!s.isFile()) return null;
      return {
        key,
        size: s.size,
        etag: `${s.mtimeMs.toFixed(3)}-${s.size}-${s.ino}`,
        uploaded: s.mtime,
        contentType: null,
      };
    } catch (error) {
      if (
        (error as { code?: string }).code === "ENOENT" ||
        (error as { code?: string }).code === "ENOTDIR"
      )
        return null;
      throw new AdapterError("fs", `stat ${key} failed`, { cause: error });
    }
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    const meta = await this.head(key);
    if (!meta) return null;
    const { offset = 0, length } = options.range ?? {};
    if (meta.size === 0 || (length !== undefined && length <= 0) || offset >= meta.size)
      return { ...meta, body: bytesToStream(new Uint8Array(0)) };
    const end = length === undefined ? undefined : offset + length - 1;
    const nodeStream = createReadStream(this.#path(key), {
      start: offset,
      ...(end !== undefined ? { end } : {}),
    });
    return { ...meta, body: Readable.toWeb(nodeStream) as ReadableStream<Uint8Array> };
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `${TMP_PREFIX}${crypto.randomUUID()}`);
    try {
      // Write everything to the temporary file first: a broken stream never touches the object.
      if (body instanceof Uint8Array) {
        const handle = await open(tmp, "w");
        try {
          await handle.writeFile(body);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await pipeline(
          Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>),
          createWriteStream(tmp),
        );
      }
      return await this.#lock.run(key, async () => {
        if (options.ifMatch !== undefined) {
          const current = await this.head(key);
          if ((current?.etag ?? null) !== options.ifMatch) {
            await rm(tmp, { force: true });
            return null;
          }
        }
        await rename(tmp, path);
        return this.head(key);
      });
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => {});
      throw error;
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    for (const key of typeof keys === "string" ? [keys] : keys) {
      const path = this.#path(key);
      await rm(path, { force: true });
      // Remove directories left empty, up to the root.
      for (let dir = dirname(path); dir.startsWith(this.root + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break;
        }
      }
    }
  }

  async #walk(dir: string, out: string[]): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TMP_PREFIX)) continue;
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
      const meta = await this.head(key);
      if (meta) objects.push(meta);
    }
    return {
      objects,
      prefixes: page.prefixes,
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    };
  }
}
