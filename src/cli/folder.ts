/**
 * The files of a local folder as a knowledge base would hold them: paths relative to the folder,
 * `/`-separated, hidden files and folders (`.git`, `.DS_Store`) left out, and names a knowledge
 * base cannot hold set aside with the reason; and their SHA-256, read as a stream.
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { validateFilePath } from "../core/knowledge/store/paths.ts";

/** One file of the folder. */
export interface LocalFile {
  /** Its path in the knowledge base. */
  path: string;
  /** Where it is on disk. */
  file: string;
  size: number;
}

/** A file left out, and why. */
export interface SkippedFile {
  path: string;
  why: string;
}

/**
 * Every file under `dir`, sorted by path (symbolic links to files are followed, to folders not).
 * @example
 * const { files, skipped } = await listFolder("./docs");
 */
export async function listFolder(
  dir: string,
): Promise<{ files: LocalFile[]; skipped: SkippedFile[] }> {
  const files: LocalFile[] = [];
  const skipped: SkippedFile[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const file = join(folder, entry.name);
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        await walk(file, `${path}/`);
        continue;
      }
      const info =
        entry.isFile() || entry.isSymbolicLink() ? await stat(file).catch(() => null) : null;
      if (!info?.isFile()) continue;
      try {
        validateFilePath(path);
        files.push({ path, file, size: info.size });
      } catch (error) {
        skipped.push({ path, why: (error as Error).message });
      }
    }
  };
  await walk(dir, "");
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/**
 * The SHA-256 (hex) of a file, read as a stream.
 * @example
 * const checksum = await sha256File("./docs/intro.md");
 */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

/**
 * Runs `fn` over `items`, at most `limit` at once; resolves when all are done (the first
 * failure rejects once the others running have settled).
 * @example
 * await eachLimit(files, 4, (f) => upload(f));
 */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
