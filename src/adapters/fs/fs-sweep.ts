/**
 * {@link sweepDirectory}: removes what processes killed mid-write left in a file store.
 * @module
 */
import { readdir, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { lockFileStale, RESERVED_PREFIX } from "./fs-lock.ts";
import { writerGone } from "./fs-temp.ts";

/**
 * Walks `root`: removes temporary files not renewed for `olderThanMs` or whose writer is gone
 * (fs-temp.ts), other reserved files older than that, stale lock files (by the rules the locks
 * themselves are taken over by: a lease not renewed, a holder of another boot, a dead or reused
 * pid — fs-lock.ts), and directories left empty (never `root` itself).
 */
export async function sweepDirectory(
  root: string,
  olderThanMs: number,
): Promise<{ files: number; bytes: number }> {
  const removed = { files: 0, bytes: 0 };
  const cutoff = Date.now() - olderThanMs;
  const visit = async (dir: string): Promise<boolean> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    let left = entries.length;
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (await visit(full)) left--;
        continue;
      }
      if (!entry.name.startsWith(RESERVED_PREFIX)) continue;
      const s = await stat(full).catch(() => null);
      if (!s) continue;
      const kind = entry.name.slice(RESERVED_PREFIX.length);
      const stale = kind.startsWith("lock-")
        ? await lockFileStale(full)
        : s.mtimeMs < cutoff || writerGone(entry.name);
      if (!stale) continue;
      await rm(full, { force: true });
      removed.files++;
      removed.bytes += s.size;
      left--;
    }
    if (left > 0 || dir === root) return false;
    return rmdir(dir).then(
      () => true,
      () => false,
    );
  };
  await visit(root);
  return removed;
}
