/**
 * The temporary files of a file store's writes, and how a sweep tells a dead writer's from a
 * live one. Each is named after its writer — pid, the pid's start time and where it runs (host,
 * boot, pid namespace) — and renewed (its mtime) every 10 s while its write lasts: a lease.
 * A sweep removes one whose lease lapsed (a minute without renewal: any writer, any host), and at
 * once one whose writer ran here (same host, boot and pid namespace) and is gone, or whose pid
 * now belongs to a process started at another time.
 * @module
 */
import { createHash, randomUUID } from "node:crypto";
import { utimes } from "node:fs/promises";
import { RESERVED_PREFIX } from "./fs-lock.ts";
import { processAlive, startOf, thisProcess } from "./fs-process.ts";

/** A temporary file not renewed for this long belongs to a writer that is gone. */
export const TEMP_LEASE_MS = 60_000;
const RENEW_MS = 10_000;
const TEMP = `${RESERVED_PREFIX}tmp-`;

/** Where processes can be compared by pid: host, boot and pid namespace, hashed short. */
const ME = thisProcess();
const PLACE = createHash("sha256")
  .update(`${ME.host}\n${ME.boot ?? ""}\n${ME.ns ?? ""}`)
  .digest("hex")
  .slice(0, 12);
const WRITER = `${ME.pid}.${ME.start ?? 0}.${PLACE}`;

/**
 * A fresh temporary file name for this process: `.botknobs-tmp-<pid>.<start>.<place>-<uuid>`.
 * @example
 * const tmp = join(dir, tempName());
 */
export function tempName(): string {
  return `${TEMP}${WRITER}-${randomUUID()}`;
}

/**
 * Whether `name` is a temporary file whose writer ran at this place and is gone (dead, or its pid
 * reused by a later process). False when that cannot be known here: the lease decides then.
 * @example
 * if (writerGone(entry.name)) await rm(join(dir, entry.name));
 */
export function writerGone(name: string): boolean {
  const match = /^(\d+)\.(\d+)\.([0-9a-f]{12})-/.exec(name.slice(TEMP.length));
  if (!name.startsWith(TEMP) || !match || match[3] !== PLACE) return false;
  const pid = Number(match[1]);
  if (!processAlive(pid)) return true;
  // Alive: the same process only if it started when the writer did (where /proc tells).
  const start = startOf(pid);
  return match[2] !== "0" && start !== undefined && String(start) !== match[2];
}

/**
 * Runs `write` while renewing the lease of the temporary file `path` (its mtime, every 10 s),
 * so that no sweep takes it for a dead writer's however long the write lasts.
 * @example
 * await withLease(tmp, () => pipeline(body, createWriteStream(tmp)));
 */
export async function withLease<T>(path: string, write: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, RENEW_MS);
  timer.unref?.();
  try {
    return await write();
  } finally {
    clearInterval(timer);
  }
}
