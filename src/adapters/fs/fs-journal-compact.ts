/**
 * Compaction of a record journal (`fs-journal.ts`): its state — each kept version's line copied
 * as it is, touches folded, removed records gone — written as a new file that replaces it. A
 * rename cannot be fenced, so the file is sealed first (an operation like any other: if another
 * writer's line takes the number, nothing is replaced), and the successor is linked once, whole,
 * under a name from the seal (`.botknobs-journal-<id>`) until it is installed: every process
 * that finishes the seal installs that same file, so no append to it can be lost to a second
 * install.
 * @module
 */
import { randomUUID } from "node:crypto";
import { link, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  COMPACT_PREFIX,
  GENERATION_PREFIX,
  type JournalHeader,
  newHeader,
  opLine,
  parseHeader,
} from "./fs-journal.ts";
import { putHead, readAt } from "./fs-journal-lines.ts";
import type { JournalFile, JournalReplica, LineRef } from "./fs-journal-replica.ts";
import { linkIfAbsent } from "./fs-lock.ts";

/** A successor written to a temporary file, and where its lines moved. */
interface Built {
  temp: string;
  /** The last line written. */
  last: { at: number; len: number };
  header: JournalHeader;
  ino: number;
  size: number;
  lines: number;
  moves: Array<[ref: LineRef, at: number, len: number, line: number]>;
}

const NL = new Uint8Array([0x0a]);
const encoder = new TextEncoder();

/** The name a journal's successor `file` is linked under, beside `path`. */
function generation(path: string, file: string): string {
  return join(dirname(path), `${GENERATION_PREFIX}${file}`);
}

function missing(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

/** A kept version's line as a snapshot line: its fence cut off, the rest copied unparsed. */
async function snapshotLine(
  replica: JournalReplica,
  file: JournalFile,
  ref: LineRef,
): Promise<Uint8Array> {
  const bytes = await readAt(file.handle, ref.len, ref.at);
  const fast = putHead(bytes);
  if (fast !== null) {
    const line = new Uint8Array(1 + bytes.length - fast.opAt);
    line[0] = 0x7b; // "{"
    line.set(bytes.subarray(fast.opAt), 1);
    return line;
  }
  // Written with another key order (before this code): parsed, and written the fast way.
  const record = await replica.readLine(file, ref);
  return encoder.encode(opLine({ op: "put", record }));
}

/** Writes the replica's state as the file `next` starting after operation `n`, beside the journal. */
async function build(
  replica: JournalReplica,
  file: JournalFile,
  next: string,
  n: number,
  format: number,
): Promise<Built> {
  const path = replica.path;
  const temp = join(dirname(path), `${COMPACT_PREFIX}${basename(path)}-${randomUUID()}`);
  const header = newHeader(replica.store, n, replica.table.changes, format, next);
  const out = await open(temp, "wx");
  const built: Built = {
    temp,
    header,
    last: { at: 0, len: 0 },
    ino: 0,
    size: 0,
    lines: 0,
    moves: [],
  };
  const chunk: Uint8Array[] = [];
  let pending = 0;
  const flush = async () => {
    for (const bytes of chunk.splice(0)) await out.write(bytes);
    pending = 0;
  };
  const emit = async (bytes: Uint8Array, ref?: LineRef) => {
    if (ref !== undefined) built.moves.push([ref, built.size, bytes.length, built.lines + 1]);
    built.last = { at: built.size, len: bytes.length };
    chunk.push(bytes, NL);
    built.size += bytes.length + 1;
    built.lines++;
    pending += bytes.length;
    if (pending >= 1 << 20) await flush();
  };
  try {
    await emit(encoder.encode(JSON.stringify(header)));
    for (const { botId, versions, touchedAt } of replica.table.kept()) {
      for (const kept of versions) {
        if ("ref" in kept) await emit(await snapshotLine(replica, file, kept.ref), kept.ref);
        else await emit(encoder.encode(opLine({ op: "put", record: kept })));
      }
      const version = versions[versions.length - 1]?.version as number;
      if (touchedAt !== null)
        await emit(encoder.encode(opLine({ op: "touch", bot_id: botId, version, at: touchedAt })));
    }
    await flush();
    await out.sync();
    built.ino = (await out.stat()).ino;
  } catch (error) {
    await out.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await out.close();
  built.lines--; // the header is not a line of the replica's count
  return built;
}

/**
 * Puts the successor `next` in place of the sealed journal — only over the sealed file itself
 * (a later generation, or a repair, may have replaced it already) — then drops its generation
 * name: once installed, no process needs it. The check comes after the successor was linked, so
 * a name dropped by a first installer lets a late one link its own only once the journal has
 * moved on, which the check then sees.
 */
async function install(path: string, sealed: string, next: string): Promise<void> {
  const gen = generation(path, next);
  if ((await headerFile(path)) === sealed) {
    const temp = join(dirname(path), `${COMPACT_PREFIX}${basename(path)}-${randomUUID()}`);
    try {
      await link(gen, temp);
    } catch (error) {
      // Gone: another process installed it (and dropped the name) since the check.
      if (missing(error)) return;
      throw error;
    }
    await rename(temp, path);
  }
  await unlink(gen).catch(() => {});
}

/** The file id in the header of the journal at `path`. */
async function headerFile(path: string): Promise<string> {
  const file = await open(path, "r");
  try {
    const head = new TextDecoder().decode(await readAt(file, 4096, 0));
    return parseHeader(head.slice(0, head.indexOf("\n")), path).file;
  } finally {
    await file.close();
  }
}

/** Links a built successor as its generation (unless another won), installs it, moves the replica. */
async function settle(replica: JournalReplica, built: Built): Promise<void> {
  const sealed = replica.file;
  const ours = await linkIfAbsent(built.temp, generation(replica.path, built.header.file));
  await unlink(built.temp).catch(() => {});
  await install(replica.path, sealed, built.header.file);
  if (ours && (await stat(replica.path)).ino === built.ino) {
    for (const [ref, at, len, line] of built.moves) {
      ref.at = at;
      ref.len = len;
      ref.line = line;
    }
    replica.adopt(built.ino, built.size, built.lines, built.header, built.last);
  } else replica.forget();
}

/**
 * Compacts the journal `file` (open for writing, caught up, under the lock) into `format`: the
 * successor is written first, then the journal sealed — when another writer's line takes the
 * seal's number, the successor is dropped and nothing replaced.
 * @example
 * if (replica.compactionDue) await compactJournal(replica, file);
 */
export async function compactJournal(
  replica: JournalReplica,
  file: JournalFile,
  format: number = replica.format,
): Promise<void> {
  const next = randomUUID();
  const built = await build(replica, file, next, replica.n + 1, format);
  let sealed = false;
  try {
    sealed = await replica.append(file, { op: "seal", next, format }, true);
  } finally {
    if (!sealed) await unlink(built.temp).catch(() => {});
  }
  if (sealed) await settle(replica, built);
}

/**
 * Finishes a sealed journal (`replica.sealed`): installs its successor, or builds it first when
 * the sealer died before linking it. The replica then reads the new file.
 * @example
 * if (replica.sealed) await finishSeal(replica, file);
 */
export async function finishSeal(replica: JournalReplica, file: JournalFile): Promise<void> {
  const seal = replica.sealed;
  if (seal === null) return;
  const linked = await stat(generation(replica.path, seal.next)).then(
    () => true,
    (error: unknown) => (missing(error) ? false : Promise.reject(error)),
  );
  if (linked || (await headerFile(replica.path)) !== replica.file) {
    if (linked) await install(replica.path, replica.file, seal.next);
    replica.forget();
    return;
  }
  await settle(replica, await build(replica, file, seal.next, seal.n, seal.format));
}
