/**
 * The journal of {@link FileRecordStore}: one JSON object per line, appended. The first line is
 * a header (store id, file id, the op number and revision counter the file starts from); a
 * compacted file then holds snapshot lines (`put`/`touch` without `n`); every later line is an
 * operation numbered `n` = previous + 1. Only lines ending in `\n` count: a torn last line (a
 * writer killed mid-append) is ignored by readers and cut off by the next writer.
 *
 * Formats (the header's `format`): 1, records without `ext`; 2, a `put` record may carry `ext`
 * (labels, write context). Both are read. A new journal is written in format 2; a format-1
 * journal is read and appended to as it is until a write needs format 2, which first rewrites
 * it (as a compaction does) under a format-2 header: a reader of format 1 then refuses the file
 * ("newer than this botknobs reads: upgrade") instead of misreading it.
 * @module
 */
import { randomUUID } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AdapterError } from "../../core/errors.ts";
import type { RecordTable } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import { RESERVED_PREFIX } from "./fs-lock.ts";

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
  | { op: "prune"; bot_id: string; before: number };

/** A parsed line. */
export type JournalLine = JournalOp & { n?: number };

/** Names beginning with this are compaction's temporary files (swept under the lock). */
export const COMPACT_PREFIX: string = `${RESERVED_PREFIX}compact-`;

/**
 * Applies one operation to the replayed state; an operation that does not fit the state is an
 * `AdapterError` (the journal is not what this store wrote).
 * @example
 * applyOp(table, { op: "delete", bot_id: "a" }, "/data/registry/registry.jsonl");
 */
export function applyOp(table: RecordTable, line: JournalOp, path: string): void {
  const bad = (what: string): AdapterError =>
    new AdapterError("file", `${path}: ${what} does not fit the journal before it`);
  switch (line.op) {
    case "put": {
      const { record } = line;
      if (!table.put(record, table.version(record.bot_id))) throw bad(`put of '${record.bot_id}'`);
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
    default:
      throw bad(`an operation ${JSON.stringify((line as { op?: unknown }).op)}`);
  }
}

/**
 * The complete lines at the start of `bytes` (each ending in `\n`) and how many bytes they take;
 * what follows the last `\n` is a line still being written, or torn.
 * @example
 * splitLines(new TextEncoder().encode('{"a":1}\n{"b"')); // { lines: ['{"a":1}'], consumed: 8 }
 */
export function splitLines(bytes: Uint8Array): { lines: string[]; consumed: number } {
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], consumed: 0 };
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
  return { lines: text.split("\n"), consumed: end + 1 };
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
): JournalHeader {
  return { botknobs: "record-journal", format, store, file: randomUUID(), n, rev };
}

/**
 * The snapshot lines that rebuild `table` (each kept version as a `put`, then a `touch` where
 * the current one's access time moved on).
 * @example
 * await replaceJournal(path, header, snapshotLines(table));
 */
export function* snapshotLines(table: RecordTable): Generator<string> {
  for (const { versions, lastAccessedAt } of table.dump()) {
    for (const r of versions) {
      const config = typeof r.config === "string" ? JSON.parse(r.config) : r.config;
      yield JSON.stringify({ op: "put", record: { ...r, config } });
    }
    const current = versions[versions.length - 1] as StoredRegistration;
    if (current.last_accessed_at !== lastAccessedAt) {
      const { bot_id, version } = current;
      yield JSON.stringify({ op: "touch", bot_id, version, at: lastAccessedAt });
    }
  }
}

/**
 * Writes a whole journal file beside `path` and renames it into place (atomic: a reader sees
 * the old file or the new one); returns the new file's size and line count.
 * @example
 * await replaceJournal(path, newHeader(randomUUID(), 0, 0), []); // a new, empty journal
 */
export async function replaceJournal(
  path: string,
  header: JournalHeader,
  lines: Iterable<string>,
): Promise<{ size: number; lines: number }> {
  const temp = join(dirname(path), `${COMPACT_PREFIX}${basename(path)}-${randomUUID()}`);
  const file = await open(temp, "wx");
  let size = 0;
  let count = 0;
  try {
    const chunk: string[] = [JSON.stringify(header)];
    const flush = async () => {
      const text = `${chunk.join("\n")}\n`;
      chunk.length = 0;
      const bytes = new TextEncoder().encode(text);
      await file.write(bytes);
      size += bytes.length;
    };
    for (const line of lines) {
      chunk.push(line);
      count++;
      if (chunk.length >= 512) await flush();
    }
    if (chunk.length > 0) await flush();
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await file.close();
  await rename(temp, path);
  return { size, lines: count };
}
