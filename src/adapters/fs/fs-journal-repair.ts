/**
 * {@link repairJournal}: the way out of a damaged registry journal (`fs-journal.ts`). It keeps
 * every line that parses and fits the records before it — in the file's order, renumbered —
 * and sets the others aside, each with its line number and why, in a file beside the journal:
 * lines that are not JSON or not UTF-8, a torn last line, a version written twice by two writers
 * without fencing (the second does not fit), a fenced writer's lost race, a seal. What it kept
 * replaces the journal under a new store id (so no `revision()` seen before comes back). A
 * journal with nothing to set aside is left as it is.
 * @module
 */
import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { open, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RecordTable } from "../../core/registry/record-table.ts";
import {
  applyOp,
  COMPACT_PREFIX,
  GENERATION_PREFIX,
  JOURNAL_FORMAT,
  JOURNAL_NAME,
  type JournalHeader,
  type JournalLine,
  LOCK_NAME,
  newHeader,
  opLine,
  parseHeader,
} from "./fs-journal.ts";
import { INDEX_NAME } from "./fs-journal-index.ts";
import { LineError, parseLine, readLines } from "./fs-journal-lines.ts";
import { withFileLock } from "./fs-lock.ts";

/** What {@link repairJournal} did. */
export interface JournalRepair {
  /** The journal file. */
  journal: string;
  /** The operations kept (every line that parses and fits). */
  kept: number;
  /** The lines set aside, in order: the line number and why. */
  dropped: Array<{ line: number; reason: string }>;
  /** The file beside the journal holding the lines set aside; `null` when none was (nothing changed). */
  setAside: string | null;
}

/** Options of {@link repairJournal}. */
export interface RepairOptions {
  /** Wait this long for the registry's lock (default 30 s): writers pause while it repairs. */
  lockTimeoutMs?: number;
}

const lenient = new TextDecoder("utf-8");

/** A set-aside line: its number, why, and its bytes (as text, and in base64 when not UTF-8). */
function asideLine(line: number, reason: string, bytes: Uint8Array): string {
  const text = lenient.decode(bytes);
  const raw = reason.includes("UTF-8") ? { base64: Buffer.from(bytes).toString("base64") } : {};
  return JSON.stringify({ line, reason, text, ...raw });
}

/** Why a parsed line is not kept, or `null` to keep it (applied to `table`). */
function verdict(
  table: RecordTable<number>,
  line: JournalLine,
  at: number,
  used: Set<number>,
): string | null {
  if (line.op === "seal") return "is a compaction's seal (a marker, not a change)";
  if (line.n !== undefined && line.w !== undefined && used.has(line.n))
    return `lost the race for operation ${line.n} to another writer (never acknowledged)`;
  try {
    applyOp(table, line, line.op === "put" ? at : undefined);
  } catch (error) {
    return `does not fit the lines kept before it (${(error as Error).message})`;
  }
  if (line.n !== undefined) used.add(line.n);
  return null;
}

/**
 * Repairs the registry journal in the folder `path` (a `FileRecordStore`'s `path`), holding the
 * registry's lock: keeps every line that parses and fits, sets the rest aside beside it, and
 * reports what it did. `npm run repair -- <data folder>` runs it from a shell.
 * @example
 * const report = await repairJournal("./data/registry");
 * console.log(`kept ${report.kept}, set aside ${report.dropped.length} in ${report.setAside}`);
 */
export function repairJournal(path: string, options: RepairOptions = {}): Promise<JournalRepair> {
  const journal = join(path, JOURNAL_NAME);
  return withFileLock(join(path, LOCK_NAME), () => repairLocked(journal), {
    timeoutMs: options.lockTimeoutMs ?? 30_000,
  });
}

async function repairLocked(journal: string): Promise<JournalRepair> {
  const dir = dirname(journal);
  const temp = join(dir, `${COMPACT_PREFIX}${basename(journal)}-${randomUUID()}`);
  const source = await open(journal, "r");
  const out = await open(temp, "wx");
  const report: JournalRepair = { journal, kept: 0, dropped: [], setAside: null };
  const aside: string[] = [];
  const drop = (line: number, reason: string, bytes: Uint8Array) => {
    report.dropped.push({ line, reason });
    aside.push(asideLine(line, reason, bytes));
  };
  try {
    const { size } = await source.stat();
    const table = new RecordTable<number>();
    const used = new Set<number>();
    const header: JournalHeader = newHeader(randomUUID(), 0, 0, JOURNAL_FORMAT);
    await out.write(`${JSON.stringify(header)}\n`);
    let lineNo = 0;
    let end = 0;
    for await (const { bytes, at } of readLines(source, 0, size)) {
      lineNo++;
      end = at + bytes.length + 1;
      if (lineNo === 1) {
        try {
          parseHeader(lenient.decode(bytes), journal);
        } catch (error) {
          // A newer format is not this code's to repair.
          if ((error as Error).message.includes("newer")) throw error;
          drop(1, "is not a journal header", bytes);
        }
        continue;
      }
      let line: JournalLine;
      try {
        line = parseLine(bytes);
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        drop(lineNo, error.message, bytes);
        continue;
      }
      const why = verdict(table, line, lineNo, used);
      if (why !== null) {
        drop(lineNo, why, bytes);
        continue;
      }
      report.kept++;
      const { n: _n, w: _w, torn: _torn, ...op } = line;
      await out.write(`${opLine(op, { n: report.kept })}\n`);
    }
    if (end < size) {
      const tail = new Uint8Array(size - end);
      await source.read(tail, 0, tail.length, end);
      drop(lineNo + 1, "is torn (a write cut short)", tail);
    }
    await out.sync();
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  } finally {
    await out.close();
    await source.close();
  }
  if (report.dropped.length === 0) {
    await unlink(temp);
    return report;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  report.setAside = join(dir, `${basename(journal)}.set-aside-${stamp}.jsonl`);
  await writeFile(report.setAside, `${aside.join("\n")}\n`, { flag: "wx" });
  await rename(temp, journal);
  // Successors of compactions of the old file, and its index: never to be used again.
  for (const name of await readdir(dir))
    if (name.startsWith(GENERATION_PREFIX) || name === INDEX_NAME)
      await unlink(join(dir, name)).catch(() => {});
  return report;
}
