/**
 * The journal of {@link FileRecordStore}: one JSON object per line, appended. The first line is
 * a header (store id, file id, the op number and revision counter the file starts from); a
 * compacted file then holds snapshot lines (`put`/`touch` without `n`); every later line is an
 * operation numbered `n` = previous + 1. Only lines ending in `\n` count: what follows the last
 * one is a line being written, or torn by a writer that died.
 *
 * Fencing. Appends are made under a lock (`fs-lock.ts`), but a lock can fail (its file deleted by
 * a cleaner, a holder frozen past its lease), so the file itself decides between two writers:
 * each append carries its number `n` and a random nonce `w`, and is one `write` to a file opened
 * with `O_APPEND`, which the kernel places whole at the end, after every earlier write — the file
 * is a total order of appends that no writer can rewrite. The first line numbered `n` is
 * operation `n`; a later line with a number already used and a nonce is a writer that lost the
 * race, and readers skip it. A writer reads back what follows the state it decided on: its write
 * counts only if its own nonce is operation `n`, else it decides again on the newer state. So two
 * writers can never both land, whatever the lock did. A writer that finds bytes past the last
 * complete line (a torn line of a dead writer) starts its line with `\n` and marks it `torn`: the
 * torn bytes become a line that readers skip because the next one says so (nothing is ever cut
 * off, which a second writer could not tell from a loss of its own line).
 *
 * Compaction replaces the file, which no append can fence, so it first appends a `seal` (fenced
 * like any operation): after a seal no line can be an operation, and the successor — the state at
 * the seal, written to a temporary file and linked as `.botknobs-journal-<next>` (a `link`, so
 * the first of two racing builders wins whole) — is renamed into place; a writer that finds a
 * sealed file installs its successor (or builds it, if its sealer died). A line written without a
 * nonce (by botknobs before fencing) reusing a number is damage: two writers both believed they
 * wrote it, and `repairJournal` decides.
 *
 * Formats (the header's `format`): 1, records without `ext`; 2, a `put` record may carry `ext`
 * (labels, write context). Both are read. A new journal is written in format 2; a format-1
 * journal is read and appended to as it is until a write needs format 2, which first rewrites
 * it (as a compaction does) under a format-2 header: a reader of format 1 then refuses the file
 * ("newer than this botknobs reads: upgrade") instead of misreading it. Fencing adds to lines
 * only what readers of both formats ignore (`w`); a lost race, a torn line closed off, or a seal
 * not yet replaced, reads as damage to a botknobs from before fencing.
 * @module
 */
import { randomUUID } from "node:crypto";
import { open, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AdapterError } from "../../core/errors.ts";
import type { RecordTable } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import { linkIfAbsent, RESERVED_PREFIX } from "./fs-lock.ts";

/** The newest journal format, which this code writes (it reads every format from 1 to it). */
export const JOURNAL_FORMAT: number = 2;

/**
 * The oldest format that can hold `op`: 2 for a `put` whose record has an `ext`, else 1.
 * @example
 * opFormat({ op: "delete", bot_id: "a" }); // 1
 */
export function opFormat(op: JournalOp): number {
  return op.op === "put" && op.record.ext !== undefined ? 2 : 1;
}

/** The first line of a journal file. */
export interface JournalHeader {
  botknobs: "record-journal";
  format: number;
  /** The store's id (kept by compaction): part of `revision()`. */
  store: string;
  /** This file's id (new at each compaction). */
  file: string;
  /** The number of the last operation before this file's first numbered line. */
  n: number;
  /** The revision counter after the snapshot lines. */
  rev: number;
}

/** One operation (or, without `n`, one snapshot line). */
export type JournalOp =
  | { op: "put"; record: RegistrationDict | StoredRegistration }
  | { op: "touch"; bot_id: string; version: number; at: string }
  | { op: "delete"; bot_id: string }
  | { op: "clear" }
  | { op: "prune"; bot_id: string; before: number }
  /** The file is closed: its successor, `next`, in `format`, replaces it (compaction). */
  | { op: "seal"; next: string; format: number };

/** The fence of an appended line: its number, the writer's nonce, and a torn line it closes. */
export interface Fence {
  n: number;
  /** The writer's nonce (none: a line written whole with its file, by a repair). */
  w?: string;
  /** Bytes of a torn line before this one, closed off by the `\n` this line starts with. */
  torn?: number;
}

/** A parsed line. */
export type JournalLine = JournalOp & { n?: number; w?: string; torn?: number };

/** The journal's name in a registry folder. */
export const JOURNAL_NAME = "registry.jsonl";

/** The name of the registry's lock file in its folder. */
export const LOCK_NAME: string = `${RESERVED_PREFIX}lock-registry`;

/** Names beginning with this are compaction's temporary files (swept at start-up). */
export const COMPACT_PREFIX: string = `${RESERVED_PREFIX}compact-`;

/** `<prefix><file id>`: a compacted journal by its file id, linked once, whole. */
export const GENERATION_PREFIX: string = `${RESERVED_PREFIX}journal-`;

/**
 * An `AdapterError` for a line of the journal at `path` that cannot be read: the file, the line,
 * what is wrong, and the way out (the repair command keeps every good line).
 * @example
 * throw damaged("/data/registry/registry.jsonl", 7, "is not JSON");
 */
export function damaged(path: string, line: number, what: string, cause?: unknown): AdapterError {
  return new AdapterError(
    "file",
    `${path}: line ${line} ${what}. Run \`npm run repair -- <data folder>\` (repairJournal from botknobs/fs) to keep every good line and set the others aside`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Applies one operation to the replayed state (with `ref`, a `put` keeps its version as that
 * reference); a `ValidationError` or an `Error` saying what does not fit otherwise.
 * @example
 * applyOp(table, { op: "delete", bot_id: "a" });
 */
export function applyOp<R>(table: RecordTable<R>, line: JournalOp, ref?: R): void {
  switch (line.op) {
    case "put": {
      const { record } = line;
      const current = table.version(record.bot_id);
      if (!table.put(record, current, ref))
        throw new Error(`version ${record.version} of '${record.bot_id}' after ${current}`);
      return;
    }
    case "touch":
      table.touch(line.bot_id, line.at, line.version);
      return;
    case "delete":
      table.delete(line.bot_id);
      return;
    case "clear":
      table.clear();
      return;
    case "prune":
      table.pruneBefore(line.bot_id, line.before);
      return;
    case "seal":
      return;
    default:
      throw new Error(`an operation ${JSON.stringify((line as { op?: unknown }).op)}`);
  }
}

/**
 * Parses a header line: `AdapterError` when it is not one, or of a newer format.
 * @example
 * const header = parseHeader(lines[0], path);
 */
export function parseHeader(text: string | undefined, path: string): JournalHeader {
  let header: JournalHeader | undefined;
  try {
    header = JSON.parse(text ?? "") as JournalHeader;
  } catch {
    header = undefined;
  }
  if (header?.botknobs !== "record-journal" || typeof header.store !== "string")
    throw new AdapterError("file", `${path} is not a botknobs record journal`);
  if (!Number.isInteger(header.format) || header.format < 1)
    throw new AdapterError("file", `${path} has no journal format this botknobs knows`);
  if (header.format > JOURNAL_FORMAT) {
    throw new AdapterError(
      "file",
      `${path} was written in journal format ${header.format}, newer than this botknobs reads (${JOURNAL_FORMAT}): upgrade botknobs`,
    );
  }
  return header;
}

/**
 * A new header for a store (`store` kept across compactions), in `format` (default the newest).
 * @example
 * newHeader(randomUUID(), 0, 0); // the header of an empty journal
 */
export function newHeader(
  store: string,
  n: number,
  rev: number,
  format: number = JOURNAL_FORMAT,
  file: string = randomUUID(),
): JournalHeader {
  return { botknobs: "record-journal", format, store, file, n, rev };
}

/**
 * One line (without its `\n`): `op` after its fence (none: a snapshot line). A `put`'s record
 * starts with `bot_id` and `version`, so that replay reads them without parsing the record.
 * @example
 * opLine({ op: "delete", bot_id: "a" }, { n: 7, w: "5f3a09c1e2b4" }); // '{"n":7,"w":"5f3a09c1e2b4","op":"delete","bot_id":"a"}'
 */
export function opLine(op: JournalOp, fence?: Fence): string {
  const head =
    fence === undefined
      ? ""
      : `"n":${fence.n},${fence.w === undefined ? "" : `"w":"${fence.w}",`}${fence.torn === undefined ? "" : `"torn":${fence.torn},`}`;
  if (op.op !== "put") return `{${head}${JSON.stringify(op).slice(1)}`;
  const { bot_id, version, config, ...rest } = op.record;
  const record = {
    bot_id,
    version,
    config: typeof config === "string" ? JSON.parse(config) : config,
    ...rest,
  };
  return `{${head}"op":"put","record":${JSON.stringify(record)}}`;
}

/**
 * Creates the journal at `path` with `header` alone, unless one exists (then false): written
 * beside it and linked into place, so two processes creating it at once cannot replace the one
 * that won (and what was appended to it).
 * @example
 * await createJournal(path, newHeader(randomUUID(), 0, 0)); // a new, empty journal
 */
export async function createJournal(path: string, header: JournalHeader): Promise<boolean> {
  const temp = join(dirname(path), `${COMPACT_PREFIX}${basename(path)}-${randomUUID()}`);
  const file = await open(temp, "wx");
  try {
    await file.write(`${JSON.stringify(header)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    return await linkIfAbsent(temp, path);
  } finally {
    await unlink(temp).catch(() => {});
  }
}
