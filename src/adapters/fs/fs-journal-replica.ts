/**
 * {@link JournalReplica}: one process's replay of a record journal — the state, where in which
 * file it stands, and what is done to the file: read what was appended since (a whole reload
 * when the file was replaced), append one operation (fenced: see `fs-journal.ts`), read an old
 * version back.
 *
 * Memory holds each bot's current record and, per kept version, where its line is in the file
 * (offset, length, line number): history is read from the file when asked for, so memory does
 * not grow with the size of old versions. A whole load reads the file in chunks and parses only
 * the head of each `put` (number, nonce, bot id, version), then the one line per bot that is its
 * current record: restart time grows with the file's bytes read, not with JSON parsed.
 * @module
 */
import { getRandomValues } from "node:crypto";
import { constants, type FileHandle, open, stat } from "node:fs/promises";
import { AdapterError } from "../../core/errors.ts";
import { RecordTable, storedRecord } from "../../core/registry/record-table.ts";
import type { StoredRegistration } from "../../core/registry/registration.ts";
import {
  applyOp,
  damaged,
  JOURNAL_FORMAT,
  type JournalHeader,
  type JournalLine,
  type JournalOp,
  opLine,
  parseHeader,
} from "./fs-journal.ts";
import {
  headOf,
  LineError,
  type LineHead,
  LineOrder,
  parseLine,
  putHead,
  readAt,
  readLines,
} from "./fs-journal-lines.ts";

// Compact once the file holds more than this many lines and twice the lines its state needs.
const MIN_COMPACT_LINES = 256;

/** Where a kept version's line is in the current file (moved by a compaction). */
export interface LineRef {
  at: number;
  len: number;
  line: number;
}

/** The journal file opened for one read or write, and its identity when opened. */
export interface JournalFile {
  handle: FileHandle;
  ino: number;
  size: number;
}

/** A line of a whole load, before the state is built (a put's record is read afterwards). */
type Loaded =
  | { put: LineHead & { botId: string; version: number }; ref: LineRef; numbered: boolean }
  | { op: JournalOp; line: number; numbered: boolean };

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

function nonce(): string {
  return Buffer.from(getRandomValues(new Uint8Array(6))).toString("hex");
}

/**
 * The replayed state of the journal at `path`. Not safe for concurrent calls: the store runs
 * them one at a time, and appends only while holding the journal's lock.
 * @example
 * const replica = new JournalReplica("/data/registry/registry.jsonl");
 * const file = await replica.open(false);
 * await replica.catchUp(file);
 */
export class JournalReplica {
  readonly path: string;
  /** The records as of the last line read; old versions as references to their lines. */
  table: RecordTable<LineRef> = new RecordTable<LineRef>();
  /** The store's id (from the header). */
  store = "";
  /** The file's id (from the header). */
  file = "";
  /** The file's format (from the header): what compaction keeps, until a write needs more. */
  format: number = JOURNAL_FORMAT;
  #ino = -1;
  // Bytes of complete lines read; bytes seen (more when a line is being written, or torn).
  #offset = 0;
  #size = 0;
  #lines = 0;
  // Puts of the last whole load that had to be parsed whole (written before puts led with
  // their bot id and version): a compaction rewrites them once, for fast restarts after.
  #slow = 0;
  #order: LineOrder = new LineOrder(0, "");
  // The append waiting to learn whether its line is the operation of its number.
  #watch: { n: number; w: string | undefined } | null = null;

  constructor(path: string) {
    this.path = path;
  }

  /** The number of the last operation. */
  get n(): number {
    return this.#order.n;
  }

  /** The seal, when the file is closed for a successor (a compaction under way, or died). */
  get sealed(): { n: number; next: string; format: number } | null {
    return this.#order.sealed;
  }

  /** Lines in the file after the header. */
  get lines(): number {
    return this.#lines;
  }

  /** Whether the file holds anything not read yet (one `stat`). */
  async changed(): Promise<boolean> {
    let st: { ino: number; size: number };
    try {
      st = await stat(this.path);
    } catch (error) {
      throw new AdapterError("file", `the journal ${this.path} is missing`, { cause: error });
    }
    return st.ino !== this.#ino || st.size !== this.#offset;
  }

  /** Opens the journal to read it, or to read and append to it (never creating it). */
  async open(write: boolean): Promise<JournalFile> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, write ? constants.O_RDWR | constants.O_APPEND : "r");
    } catch (error) {
      if (codeOf(error) !== "ENOENT") throw error;
      throw new AdapterError("file", `the journal ${this.path} is missing`, { cause: error });
    }
    const { ino, size } = await handle.stat();
    return { handle, ino, size };
  }

  /** Forgets the file: the next `catchUp` loads it whole. */
  forget(): void {
    this.#ino = -1;
  }

  /** Moves to `file` after a compaction wrote it: refs already moved, nothing to read. */
  adopt(ino: number, size: number, lines: number, header: JournalHeader): void {
    this.#ino = ino;
    this.#offset = size;
    this.#size = size;
    this.#lines = lines;
    this.#slow = 0;
    this.#order = new LineOrder(header.n, this.path);
    this.file = header.file;
    this.format = header.format;
  }

  /** Applies what `file` holds beyond the state (all of it when it is another file). */
  async catchUp(file: JournalFile): Promise<void> {
    if (file.ino === this.#ino && file.size === this.#size) return;
    // Grown: read what was appended. Shrunk: rewritten in place, loaded whole.
    if (file.ino === this.#ino && file.size > this.#size) {
      try {
        await this.#readNew(file);
        return;
      } catch {
        // A line that does not follow: the file was rewritten in place. Load it whole.
      }
    }
    await this.#load(file);
  }

  /** Applies the lines appended since the last read, each parsed whole. */
  async #readNew(file: JournalFile): Promise<void> {
    const to = (await file.handle.stat()).size;
    for await (const { bytes, at } of readLines(file.handle, this.#offset, to)) {
      const line = this.#lines + 2;
      this.#lines++;
      this.#offset = at + bytes.length + 1;
      let parsed: JournalLine;
      try {
        parsed = parseLine(bytes);
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        this.#order.junk(line, error.message, at);
        continue;
      }
      const head = headOf(parsed);
      if (this.#order.next(head, line) === "skip") continue;
      this.#applied(head, parsed);
      const ref = { at, len: bytes.length, line };
      try {
        applyOp(this.table, parsed, parsed.op === "put" ? ref : undefined);
      } catch (error) {
        throw damaged(
          this.path,
          line,
          `does not fit the journal before it (${(error as Error).message})`,
        );
      }
    }
    const reread = this.#order.end(to > this.#offset);
    if (reread !== null) {
      this.#offset = reread;
      this.#lines--;
    }
    this.#size = to;
  }

  #applied(head: LineHead, line: JournalLine | null): void {
    if (this.#watch !== null && head.n === this.#watch.n) this.#watch.w = head.w;
    if (line?.op === "seal") {
      this.#order.sealed = { n: head.n as number, next: line.next, format: line.format };
    }
  }

  /** Replays the whole file into a fresh state: heads first, then each bot's current record. */
  async #load(file: JournalFile): Promise<void> {
    this.#ino = -1;
    const loaded: Loaded[] = [];
    const last = new Map<string, number>();
    let header: JournalHeader | undefined;
    let lineNo = 0;
    let end = 0;
    let slow = 0;
    for await (const { bytes, at } of readLines(file.handle, 0, file.size)) {
      lineNo++;
      end = at + bytes.length + 1;
      if (header === undefined) {
        header = parseHeader(new TextDecoder().decode(bytes), this.path);
        this.#order = new LineOrder(header.n, this.path);
        continue;
      }
      const fast = putHead(bytes);
      let parsed: JournalLine | null = null;
      if (fast === null) {
        try {
          parsed = parseLine(bytes);
        } catch (error) {
          if (!(error instanceof LineError)) throw error;
          this.#order.junk(lineNo, error.message, at);
          continue;
        }
      }
      const head = fast?.head ?? headOf(parsed as JournalLine);
      if (this.#order.next(head, lineNo) === "skip") continue;
      this.#applied(head, parsed);
      const numbered = head.n !== undefined;
      if (head.op === "put") {
        if (fast === null) slow++;
        const put = head as LineHead & { botId: string; version: number };
        last.set(put.botId, loaded.length);
        loaded.push({ put, ref: { at, len: bytes.length, line: lineNo }, numbered });
      } else loaded.push({ op: parsed as JournalOp, line: lineNo, numbered });
    }
    if (header === undefined)
      throw new AdapterError("file", `${this.path} is not a botknobs record journal`);
    const reread = this.#order.end(file.size > end);
    if (reread !== null) {
      end = reread;
      lineNo--;
    }
    this.table = await this.#replay(file, header, loaded, last);
    this.store = header.store;
    this.file = header.file;
    this.format = header.format;
    this.#ino = file.ino;
    this.#offset = end;
    this.#size = file.size;
    this.#lines = lineNo - 1;
    this.#slow = slow;
  }

  /** Builds the state from a whole load's lines, reading each bot's last put whole. */
  async #replay(
    file: JournalFile,
    header: JournalHeader,
    loaded: Loaded[],
    last: Map<string, number>,
  ): Promise<RecordTable<LineRef>> {
    const table = new RecordTable<LineRef>();
    let snapshot = true;
    for (let i = 0; i < loaded.length; i++) {
      const item = loaded[i] as Loaded;
      if (snapshot && item.numbered) {
        // Snapshot lines first: the revision counter goes on from the header's.
        table.changes = header.rev;
        snapshot = false;
      }
      const line = "put" in item ? item.ref.line : item.line;
      try {
        if (!("put" in item)) applyOp(table, item.op);
        else if (last.get(item.put.botId) === i) {
          const record = await this.readLine(file, item.ref);
          applyOp(table, { op: "put", record }, item.ref);
        } else table.putRef(item.put.botId, item.put.version, item.ref);
      } catch (error) {
        if (error instanceof AdapterError) throw error;
        throw damaged(
          this.path,
          line,
          `does not fit the journal before it (${(error as Error).message})`,
        );
      }
    }
    if (snapshot) table.changes = header.rev;
    return table;
  }

  /** The record of the `put` line at `ref` in `file`: damage, named, when it is not one. */
  async readLine(file: JournalFile, ref: LineRef): Promise<StoredRegistration> {
    const bytes = await readAt(file.handle, ref.len, ref.at);
    let line: JournalLine;
    try {
      line = parseLine(bytes);
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      throw damaged(this.path, ref.line, error.message);
    }
    if (line.op !== "put") throw damaged(this.path, ref.line, "is not the put it was");
    return line.record;
  }

  /** A kept version read back from its line (checked to be that version of that bot). */
  async readVersion(
    file: JournalFile,
    botId: string,
    version: number,
    ref: LineRef,
  ): Promise<StoredRegistration> {
    const record = await this.readLine(file, ref);
    if (record.bot_id !== botId || record.version !== version) {
      this.forget();
      throw damaged(
        this.path,
        ref.line,
        `holds version ${record.version} of '${record.bot_id}', not version ${version} of '${botId}': the file changed in place`,
      );
    }
    return storedRecord(record);
  }

  /**
   * Appends `op` as the next operation (after `catchUp` under the lock), fenced: true when its
   * line is that operation, false when another writer's line took the number first (the state
   * then includes it: decide again). The line is one `write` on an `O_APPEND` file.
   */
  async append(file: JournalFile, op: JournalOp, sync: boolean): Promise<boolean> {
    const w = nonce();
    const n = this.#order.n + 1;
    const torn = this.#size > this.#offset ? this.#size - this.#offset : undefined;
    // After a torn line (bytes past the last complete one): "~\n" ends it as a line that is no
    // operation (not JSON, not a put's head), which this line, marked `torn`, says to skip.
    const text = `${torn === undefined ? "" : "~\n"}${opLine(op, torn === undefined ? { n, w } : { n, w, torn })}\n`;
    const bytes = new TextEncoder().encode(text);
    try {
      for (let done = 0; done < bytes.length; )
        done += (await file.handle.write(bytes, done, bytes.length - done)).bytesWritten;
      if (sync) await file.handle.datasync();
    } catch (error) {
      // Whatever reached the file is a torn line the next writer closes; reload before trusting it.
      this.forget();
      throw new AdapterError("file", `appending to ${this.path} failed`, { cause: error });
    }
    this.#watch = { n, w: undefined };
    try {
      await this.catchUp({ ...file, size: (await file.handle.stat()).size });
      return this.#watch.w === w;
    } finally {
      this.#watch = null;
    }
  }

  /**
   * Whether the file is mostly lines its state no longer needs (touches, pruned versions,
   * removed records), or mostly puts written before they led with their bot id and version.
   */
  get compactionDue(): boolean {
    const needed = this.table.versionCount + this.table.size;
    if (this.#lines >= MIN_COMPACT_LINES && this.#lines > 2 * needed) return true;
    return this.#slow >= MIN_COMPACT_LINES && 2 * this.#slow > this.#lines;
  }
}
