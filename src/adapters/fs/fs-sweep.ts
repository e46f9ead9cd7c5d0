/**
 * {@link sweepDirectory}: removes what processes killed mid-write left in a file store.
 * @module
 */
import { readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { RESERVED_PREFIX } from "./fs-lock.ts";
import { writerGone } from "./fs-temp.ts";

function isDeadLocalOwner(text: string): boolean {
  try {
    const owner = JSON.parse(text) as { host?: string; pid?: number };
    if (owner.host !== hostname() || typeof owner.pid !== "number") return false;
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}

/**
 * Walks `root`: removes temporary files not renewed for `olderThanMs` or whose writer is gone
 * (fs-temp.ts), other reserved files older than that, lock files of dead processes, and
 * directories left empty (never `root` itself).
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
        ? isDeadLocalOwner(await readFile(full, "utf8").catch(() => ""))
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
