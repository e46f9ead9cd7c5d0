/**
 * Loading a record journal (`fs-journal.ts`) whole into a fresh state: {@link scanJournal} reads
 * the file in chunks and parses only the head of each `put` (number, nonce, bot id, version),
 * then the one line per bot that is its current record — restart time grows with the bytes read,
 * not with JSON parsed; {@link loadFromIndex} takes the same state from the journal's index
 * (`fs-journal-index.ts`), checked against the file, leaving only the lines after it to read.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import { RecordTable } from "../../core/registry/record-table.ts";
import {
  applyOp,
  damaged,
  type JournalHeader,
  type JournalLine,
  type JournalOp,
  parseHeader,
} from "./fs-journal.ts";
import { INDEX_HEAD_BYTES, type JournalIndex } from "./fs-journal-index.ts";
import {
  headOf,
  type JournalFile,
  LineError,
  type LineHead,
  LineOrder,
  type LineRef,
  parseLine,
  putHead,
  readAt,
  readLines,
  readPut,
} from "./fs-journal-lines.ts";

/** A journal loaded: its state, and where in the file it stands. */
export interface LoadedJournal {
  header: JournalHeader;
  table: RecordTable<LineRef>;
  order: LineOrder;
  /** The last line applied (the index's check). */
  last: { at: number; len: number };
  /** Bytes of complete lines read; lines after the header. */
  offset: number;
  lines: number;
  /** Puts that had to be parsed whole (written before puts led with their bot and version). */
  slow: number;
}

/** Told of each operation applied, with its head (the fenced append watches for its own). */
export type OnApplied = (head: LineHead) => void;

/** A line of a scan, before the state is built (a put's record is read afterwards). */
type Scanned =
  | { put: LineHead & { botId: string; version: number }; ref: LineRef; numbered: boolean }
  | { op: JournalOp; line: number; numbered: boolean };

const decoder = new TextDecoder();

/**
 * Reads the journal at `path` (open as `file`) whole: every line's head, then each bot's current
 * record. Damage is an `AdapterError` naming the line.
 * @example
 * const loaded = await scanJournal(path, file, () => {});
 */
export async function scanJournal(
  path: string,
  file: JournalFile,
  onApplied: OnApplied,
): Promise<LoadedJournal> {
  const scanned: Scanned[] = [];
  const lastPut = new Map<string, number>();
  let header: JournalHeader | undefined;
  let order = new LineOrder(0, path);
  let last = { at: 0, len: 0 };
  let lineNo = 0;
  let end = 0;
  let slow = 0;
  for await (const { bytes, at } of readLines(file.handle, 0, file.size)) {
    lineNo++;
    end = at + bytes.length + 1;
    if (header === undefined) {
      header = parseHeader(decoder.decode(bytes), path);
      order = new LineOrder(header.n, path);
      last = { at, len: bytes.length };
      continue;
    }
    // A fast head is trusted unparsed only for puts a later put replaces (a torn line taken for
    // one could not be followed by another put of its bot: every writer reads it whole first).
    const fast = putHead(bytes);
    let parsed: JournalLine | null = null;
    if (fast === null) {
      try {
        parsed = parseLine(bytes);
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        order.junk(lineNo, error.message, at);
        continue;
      }
    }
    const head = fast?.head ?? headOf(parsed as JournalLine);
    if (order.next(head, lineNo) === "skip") continue;
    if (parsed?.op === "seal") order.sealed = { n: head.n as number, ...sealOf(parsed) };
    onApplied(head);
    last = { at, len: bytes.length };
    const numbered = head.n !== undefined;
    if (head.op === "put") {
      if (fast === null) slow++;
      const put = head as LineHead & { botId: string; version: number };
      lastPut.set(put.botId, scanned.length);
      scanned.push({ put, ref: { at, len: bytes.length, line: lineNo }, numbered });
    } else scanned.push({ op: parsed as JournalOp, line: lineNo, numbered });
  }
  if (header === undefined)
    throw new AdapterError("file", `${path} is not a botknobs record journal`);
  const reread = order.end(file.size > end);
  if (reread !== null) {
    end = reread;
    lineNo--;
  }
  const table = await replay(path, file, header, scanned, lastPut);
  return { header, table, order, last, offset: end, lines: lineNo - 1, slow };
}

function sealOf(line: JournalLine): { next: string; format: number } {
  const { next, format } = line as { next: string; format: number };
  return { next, format };
}

/** Builds the state from a scan's lines, reading each bot's last put whole. */
async function replay(
  path: string,
  file: JournalFile,
  header: JournalHeader,
  scanned: Scanned[],
  lastPut: Map<string, number>,
): Promise<RecordTable<LineRef>> {
  const table = new RecordTable<LineRef>();
  let snapshot = true;
  for (let i = 0; i < scanned.length; i++) {
    const item = scanned[i] as Scanned;
    if (snapshot && item.numbered) {
      // Snapshot lines first: the revision counter goes on from the header's.
      table.changes = header.rev;
      snapshot = false;
    }
    try {
      if (!("put" in item)) applyOp(table, item.op);
      else if (lastPut.get(item.put.botId) === i)
        applyOp(table, { op: "put", record: await readPut(path, file, item.ref) }, item.ref);
      else table.putRef(item.put.botId, item.put.version, item.ref);
    } catch (error) {
      if (error instanceof AdapterError) throw error;
      const line = "put" in item ? item.ref.line : item.line;
      throw damaged(path, line, `does not fit the journal before it (${(error as Error).message})`);
    }
  }
  if (snapshot) table.changes = header.rev;
  return table;
}

/** The header of the journal `file` (its first line). */
async function headerOf(path: string, file: JournalFile): Promise<JournalHeader> {
  for await (const { bytes } of readLines(file.handle, 0, file.size))
    return parseHeader(decoder.decode(bytes), path);
  throw new AdapterError("file", `${path} is not a botknobs record journal`);
}

/**
 * The state `index` holds, when it is the index of `file` — its file id, and its last line where
 * and as the file holds it; `null` otherwise. The lines after `offset` are the caller's to read.
 * @example
 * const loaded = (await readIndex(path)) && (await loadFromIndex(path, file, index));
 */
export async function loadFromIndex(
  path: string,
  file: JournalFile,
  index: JournalIndex,
): Promise<LoadedJournal | null> {
  const header = await headerOf(path, file);
  const { last } = index;
  if (index.file !== header.file || index.offset > file.size || last === null) return null;
  const bytes = await readAt(file.handle, last.len + 1, last.at);
  const head = decoder.decode(bytes.subarray(0, Math.min(last.len, INDEX_HEAD_BYTES)));
  if (bytes.length !== last.len + 1 || bytes[last.len] !== 0x0a || head !== last.head) return null;
  const table = new RecordTable<LineRef>();
  for (const [botId, touchedAt, versions] of index.bots) {
    for (const [i, [version, at, len, line]] of versions.entries()) {
      const ref = { at, len, line };
      if (i < versions.length - 1) {
        table.putRef(botId, version, ref);
        continue;
      }
      const record = await readPut(path, file, ref);
      if (record.bot_id !== botId || record.version !== version) return null;
      applyOp(table, { op: "put", record }, ref);
    }
    const current = versions[versions.length - 1]?.[0];
    if (touchedAt !== null && current !== undefined) table.touch(botId, touchedAt, current);
  }
  table.changes = index.changes;
  const order = new LineOrder(index.n, path);
  order.sealed = index.sealed;
  return {
    header,
    table,
    order,
    last: { at: last.at, len: last.len },
    offset: index.offset,
    lines: index.lines,
    slow: index.slow,
  };
}
