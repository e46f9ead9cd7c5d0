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
import { readFileSync, readlinkSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { RESERVED_PREFIX } from "./fs-lock.ts";

/** A temporary file not renewed for this long belongs to a writer that is gone. */
export const TEMP_LEASE_MS = 60_000;
const RENEW_MS = 10_000;
const TEMP = `${RESERVED_PREFIX}tmp-`;

function read(path: string, link = false): string {
  try {
    return link ? readlinkSync(path) : readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

/** A process's start time (`/proc/<pid>/stat` field 22, after the parenthesised name); "" without /proc. */
function startOf(pid: number | "self"): string {
  const text = read(`/proc/${pid}/stat`);
  return text ? (text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? "") : "";
}

/** Where processes can be compared by pid: host, boot and pid namespace, hashed short. */
const PLACE = createHash("sha256")
  .update(
    `${hostname()}\n${read("/proc/sys/kernel/random/boot_id")}\n${read("/proc/self/ns/pid", true)}`,
  )
  .digest("hex")
  .slice(0, 12);
const WRITER = `${process.pid}.${startOf("self") || "0"}.${PLACE}`;

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
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return true;
  }
  // Alive: the same process only if it started when the writer did (where /proc tells).
  const start = startOf(pid);
  return match[2] !== "0" && start !== "" && start !== match[2];
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
