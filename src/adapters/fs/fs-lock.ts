/**
 * {@link withFileLock}: a lock shared by the processes of one host, for compare-and-set on files.
 *
 * The lock is a file created atomically with its content (written to a unique name, then
 * `link`ed into place: `link` fails if the name exists, and a reader never sees it half written).
 * It holds the owner's host, pid and a random token. A lock whose owner process has died
 * (`kill -9` mid-write) is broken by the next taker, which re-reads it under a second lock (see
 * `breakStale`) and removes it only if it is still the very lock seen dead. Processes of this one wait on an in-process queue first,
 * so only one of them at a time polls the file. Not for network file systems shared by hosts.
 * @module
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { AdapterError } from "../../core/errors.ts";
import { KeyedLock } from "../../core/util/keyed-lock.ts";

/** Names beginning with this are the file stores' own (locks, temporary files): never listed. */
export const RESERVED_PREFIX = ".botknobs-";

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this long with an `AdapterError` (default 30 s). */
  timeoutMs?: number;
}

interface Owner {
  host: string;
  pid: number;
  token: string;
}

const HOST = hostname();
const local = new KeyedLock();

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/** Whether a process of this host is running (a permission error means it exists). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === "EPERM";
  }
}

async function readOwner(path: string): Promise<Owner | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as Owner;
  } catch (error) {
    if (codeOf(error) === "ENOENT") return null;
    // Never half written (it is linked into place whole): unreadable means foreign; leave it.
    throw new AdapterError("fs", `lock file ${path} is not a botknobs lock`, { cause: error });
  }
}

/**
 * `link(from, to)`: true when it created `to`, false when `to` exists — an atomic create that
 * another process cannot interleave with.
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
 * Removes the lock at `path` if it is still the one `dead` held. Breakers take turns through a
 * second lock file (`<path>-break`) and re-read the owner while holding it: only a breaker or
 * the (dead) owner ever removes the lock file, so the one read under the break lock cannot be
 * replaced before it is removed. (Moving the lock aside and putting back a live one, as this did
 * first, left a moment without a lock in which a third process could take it: two holders.)
 */
async function breakStale(path: string, dead: Owner): Promise<void> {
  const breaker = `${path}-break`;
  const me: Owner = { host: HOST, pid: process.pid, token: randomUUID() };
  if (!(await tryCreate(breaker, me))) {
    // Another breaker is at work (for two file calls), or died at it: clear the latter; retry.
    const other = await readOwner(breaker).catch(() => null);
    if (other && other.host === HOST && !alive(other.pid)) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    const holder = await readOwner(path);
    if (holder?.token === dead.token) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding the lock file at `path` (its directory is created if needed).
 * @example
 * await withFileLock("/data/kb/.botknobs-lock-head", async () => {
 *   // check and replace a file; no other process of this host does the same meanwhile
 * });
 */
export function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  return local.run(path, async () => {
    const owner: Owner = { host: HOST, pid: process.pid, token: randomUUID() };
    const timeoutMs = options.timeoutMs ?? 30_000;
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
      const holder = await readOwner(path);
      if (holder && holder.host === HOST && !alive(holder.pid)) {
        await breakStale(path, holder);
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        throw new AdapterError(
          "fs",
          `could not take the lock ${basename(path)} in ${dirname(path)} within ${timeoutMs} ms (held by pid ${holder?.pid} on ${holder?.host})`,
        );
      }
      // Back off: 1, 2, 4 … up to 16 ms, with jitter so two waiting processes do not collide.
      await sleep(Math.min(16, 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
    try {
      return await fn();
    } finally {
      const holder = await readOwner(path).catch(() => null);
      if (holder?.token === owner.token) await unlink(path).catch(() => {});
    }
  });
}
