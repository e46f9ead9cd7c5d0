/**
 * {@link withFileLock}: a lock shared by the processes that share a folder, for compare-and-set
 * on files.
 *
 * The lock is a file created atomically with its content (written to a unique name, then
 * `link`ed into place: `link` fails if the name exists, and a reader never sees it half written).
 * It is a lease: its holder renews it (the file's mtime) every third of `leaseMs` while it holds
 * it, and a lock not renewed for `leaseMs` is stale whatever it names — another host (a container
 * recreated under a new name), a pid that is alive again (reused after a restart), a process
 * frozen for that long. A lock of this host is known stale at once when the file says more than
 * the lease does: its boot (`/proc/sys/kernel/random/boot_id`) is not this one, or, in this pid
 * namespace, its pid is dead or started at another time (`/proc/<pid>/stat`: a reused pid).
 * Pids of another namespace with this hostname (a container on the host network) are never
 * judged: only the lease ends those.
 *
 * A stale lock is broken by the next taker, which re-reads it under a second lock (see
 * `breakStale`) and removes it only if it is still the very lock seen stale. Processes of this
 * one wait on an in-process queue first, so only one of them at a time polls the file.
 *
 * A lease cannot be exact (a holder frozen past it, or a lock file someone deletes, lets a second
 * holder in): what must never be done twice behind it is fenced on its own (the registry journal
 * numbers its appends, `fs-journal.ts`). Not for network file systems shared by hosts.
 * @module
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AdapterError } from "../../core/errors.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";
import { type ProcessPlace, processAlive, startOf, thisProcess } from "./fs-process.ts";

/** Names beginning with this are the file stores' own (locks, temporary files): never listed. */
export const RESERVED_PREFIX = ".botknobs-";

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this long with an `AdapterError` (default 30 s). */
  timeoutMs?: number;
  /**
   * A lock not renewed for this long is stale, whoever holds it (default 10 s). The holder
   * renews its own every third of it. Takers and holder must agree on it.
   */
  leaseMs?: number;
}

/** What a lock file says of its holder: the process, and a token of this one hold. */
interface Owner extends ProcessPlace {
  token: string;
}

const DEFAULT_LEASE_MS = 10_000;
const local = new KeyedLock();

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

function newOwner(): Owner {
  return { ...thisProcess(), token: randomUUID() };
}

/**
 * Whether the lock `owner` wrote, last renewed at `renewedAt` (ms), is stale: not renewed within
 * the lease, or naming a process of this host (boot, pid namespace) that is not running.
 */
function isStale(owner: Owner, renewedAt: number, leaseMs: number): boolean {
  if (Date.now() - renewedAt > leaseMs) return true;
  const here = thisProcess();
  if (owner.host !== here.host) return false;
  if (owner.boot !== undefined && here.boot !== undefined) {
    if (owner.boot !== here.boot) return true;
  }
  if (owner.ns !== undefined && here.ns !== undefined && owner.ns !== here.ns) return false;
  if (!processAlive(owner.pid)) return true;
  if (owner.start === undefined) return false;
  const start = startOf(owner.pid);
  return start !== undefined && start !== owner.start;
}

/** The lock at `path` and when it was last renewed; `null` when there is none. */
async function readLock(path: string): Promise<{ owner: Owner; renewedAt: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return { owner: JSON.parse(text) as Owner, renewedAt: info.mtimeMs };
  } catch (error) {
    if (codeOf(error) === "ENOENT") return null;
    // Never half written (it is linked into place whole): unreadable means foreign; leave it.
    throw new AdapterError("fs", `lock file ${path} is not a botknobs lock`, { cause: error });
  }
}

/**
 * Whether the lock file at `path` is stale by the rules {@link withFileLock} takes one over by
 * (not renewed within `leaseMs`; a holder of another boot, a dead pid, a reused pid): what a
 * sweep removes. A missing or foreign (unreadable) file is not a stale lock.
 * @example
 * if (await lockFileStale(path)) await rm(path, { force: true });
 */
export async function lockFileStale(
  path: string,
  leaseMs: number = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const lock = await readLock(path).catch(() => null);
  return lock !== null && isStale(lock.owner, lock.renewedAt, leaseMs);
}

/**
 * `link(from, to)`: true when it created `to`, false when `to` exists — an atomic create that
 * another process cannot interleave with.
 * @example
 * if (await linkIfAbsent(tmp, path)) console.log("created", path);
 */
export async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (codeOf(error) === "EEXIST") return false;
    throw error;
  }
}

/** Creates the lock file with its content in one step; false when it exists. */
async function tryCreate(path: string, owner: Owner): Promise<boolean> {
  const tmp = join(dirname(path), `${RESERVED_PREFIX}tmp-${randomUUID()}`);
  await writeFile(tmp, JSON.stringify(owner));
  try {
    return await linkIfAbsent(tmp, path);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/**
 * Removes the lock at `path` if it is still the stale one `seen`. Breakers take turns through a
 * second lock file (`<path>-break`, itself stale by the same rules) and re-read the lock while
 * holding it: only a breaker or the owner ever removes the lock file, so the one read under the
 * break lock cannot be replaced before it is removed. (Moving the lock aside and putting back a
 * live one, as this did first, left a moment without a lock in which a third process could take
 * it: two holders.)
 */
async function breakStale(path: string, seen: Owner, leaseMs: number): Promise<void> {
  const breaker = `${path}-break`;
  if (!(await tryCreate(breaker, newOwner()))) {
    // Another breaker is at work (for two file calls), or died at it: clear the latter; retry.
    const other = await readLock(breaker).catch(() => null);
    if (other && isStale(other.owner, other.renewedAt, leaseMs))
      await unlink(breaker).catch(() => {});
    return;
  }
  try {
    const lock = await readLock(path);
    if (lock?.owner.token === seen.token && isStale(lock.owner, lock.renewedAt, leaseMs))
      await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

/** One renewal: the lock's mtime moved on while it is `owner`'s; put back if someone deleted it. */
async function renew(path: string, owner: Owner): Promise<void> {
  try {
    const lock = await readLock(path);
    if (lock === null) await tryCreate(path, owner);
    else if (lock.owner.token === owner.token) {
      const now = new Date();
      await utimes(path, now, now);
    }
  } catch {
    // A renewal that failed is tried again; a lost lease is what fencing is for.
  }
}

/**
 * Renews the lock every third of the lease while `owner` holds it (putting it back if someone
 * deleted it, so that others keep waiting). The returned stop waits for a renewal under way, so
 * none puts the lock back after its release.
 */
function heartbeat(path: string, owner: Owner, leaseMs: number): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(
    () => {
      running ??= renew(path, owner).finally(() => {
        running = null;
      });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding the lock file at `path` (its directory is created if needed), renewing it
 * while `fn` runs.
 * @example
 * await withFileLock("/data/kb/.botknobs-lock-head", async () => {
 *   // check and replace a file; no other process does the same meanwhile
 * });
 */
export function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  return local.run(path, async () => {
    const owner = newOwner();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let created: boolean;
      try {
        created = await tryCreate(path, owner);
      } catch (error) {
        if (codeOf(error) !== "ENOENT") throw error;
        await mkdir(dirname(path), { recursive: true });
        continue;
      }
      if (created) break;
      const lock = await readLock(path);
      if (lock && isStale(lock.owner, lock.renewedAt, leaseMs)) {
        await breakStale(path, lock.owner, leaseMs);
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        const holder = lock?.owner;
        throw new AdapterError(
          "fs",
          `could not take the lock ${basename(path)} in ${dirname(path)} within ${timeoutMs} ms (held by pid ${holder?.pid} on ${holder?.host}, renewed within its lease of ${leaseMs} ms)`,
        );
      }
      // Back off: 1, 2, 4 … up to 16 ms, with jitter so two waiting processes do not collide.
      await sleep(Math.min(16, 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
    const stop = heartbeat(path, owner, leaseMs);
    try {
      return await fn();
    } finally {
      await stop();
      const lock = await readLock(path).catch(() => null);
      if (lock?.owner.token === owner.token) await unlink(path).catch(() => {});
    }
  });
}
