/**
 * {@link JournalReplica}: one process's replay of a record journal — the state, where in which
 * file it stands, and the three things done to the file: read what was appended since (a whole
 * reload when the file was replaced), append one operation, compact.
 * @module
 */
import { type FileHandle, open, stat, truncate } from "node:fs/promises";
import { AdapterError } from "../../core/errors.ts";
import { RecordTable } from "../../core/registry/record-table.ts";
import {
  applyOp,
  JOURNAL_FORMAT,
  type JournalLine,
  type JournalOp,
  newHeader,
  opFormat,
  parseHeader,
  replaceJournal,
  snapshotLines,
  splitLines,
} from "./fs-journal.ts";

// Compact once the file holds more than this many lines and twice the lines its state needs.
const MIN_COMPACT_LINES = 256;

async function readAt(file: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await file.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) return bytes.subarray(0, done);
    done += bytesRead;
  }
  return bytes;
}

/**
 * The replayed state of the journal at `path`. Not safe for concurrent calls: the store runs
 * them one at a time, and appends only while holding the journal's lock.
 * @example
 * const replica = new JournalReplica("/data/registry/registry.jsonl");
 * if (await replica.changed()) await replica.readNew(true);
 */
export class JournalReplica {
  readonly path: string;
  /** The records as of the last line read. */
  table: RecordTable = new RecordTable();
  /** The store's id (from the header). */
  store = "";
  /** The file's format (from the header): what compaction keeps, until a write needs more. */
  format: number = JOURNAL_FORMAT;
  #ino = -1;
  // Bytes of complete lines read; bytes seen (more when a line is being written, or torn).
  #offset = 0;
  #size = 0;
  #n = 0;
  #lines = 0;

  constructor(path: string) {
    this.path = path;
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

  /**
   * Applies what the file holds beyond the state. False (unless `strict`, which throws) when a
   * line does not parse, follow or fit: maybe read while a writer cut a torn tail.
   */
  async readNew(strict: boolean): Promise<boolean> {
    const file = await open(this.path, "r");
    try {
      const { ino, size } = await file.stat();
      if (ino === this.#ino && size === this.#offset) return true;
      if (ino === this.#ino && size > this.#offset) {
        const bytes = await readAt(file, size - this.#offset, this.#offset);
        this.#size = this.#offset + bytes.length;
        const { lines, consumed } = splitLines(bytes);
        // Lines must carry the next numbers; if not, the file was rewritten in place (or a
        // compaction's file got this inode again): load it whole.
        if (this.#apply(lines)) {
          this.#offset += consumed;
          return true;
        }
      }
      return await this.#load(file, ino, size, strict);
    } finally {
      await file.close();
    }
  }

  /** Applies numbered lines in order; false at the first one that does not parse, follow or fit. */
  #apply(lines: string[]): boolean {
    for (const text of lines) {
      let line: JournalLine;
      try {
        line = JSON.parse(text) as JournalLine;
        if (line.n !== this.#n + 1) return false;
        applyOp(this.table, line, this.path);
      } catch {
        return false;
      }
      this.#n = line.n;
      this.#lines++;
    }
    return true;
  }

  /** Replays the whole file into a fresh state. */
  async #load(file: FileHandle, ino: number, size: number, strict: boolean): Promise<boolean> {
    const bytes = await readAt(file, size, 0);
    const { lines, consumed } = splitLines(bytes);
    try {
      const header = parseHeader(lines[0], this.path);
      this.table = new RecordTable();
      let i = 1;
      // Snapshot lines (a compaction's) come first and carry no number.
      for (; i < lines.length && !(lines[i] as string).startsWith('{"n":'); i++)
        applyOp(this.table, JSON.parse(lines[i] as string) as JournalOp, this.path);
      this.table.changes = header.rev;
      this.#n = header.n;
      this.#lines = i - 1;
      if (!this.#apply(lines.slice(i)))
        throw new AdapterError("file", `${this.path}: line ${this.#lines + 2} is damaged`);
      this.store = header.store;
      this.format = header.format;
      this.#ino = ino;
      this.#offset = consumed;
      this.#size = bytes.length;
      return true;
    } catch (error) {
      // Not trusted until a whole load succeeds.
      this.#ino = -1;
      if (!strict) return false;
      throw error instanceof AdapterError
        ? error
        : new AdapterError("file", `${this.path} is damaged`, { cause: error });
    }
  }

  /** Cuts bytes past the last complete line: under the lock, only a dead writer leaves them. */
  async cutTornTail(): Promise<void> {
    if (this.#size > this.#offset) await truncate(this.path, this.#offset);
    this.#size = this.#offset;
  }

  /**
   * Appends `op` as the next numbered line (after `readNew` under the lock) and applies it. An
   * operation an older format cannot hold first rewrites the file in the newest format, so a
   * reader of the old one refuses the file rather than misreads it.
   */
  async append(op: JournalOp, sync: boolean): Promise<void> {
    if (opFormat(op) > this.format) await this.compact(JOURNAL_FORMAT);
    const n = this.#n + 1;
    const bytes = new TextEncoder().encode(`${JSON.stringify({ n, ...op })}\n`);
    let file: FileHandle | undefined;
    try {
      file = await open(this.path, "a");
      for (let done = 0; done < bytes.length; )
        done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
      if (sync) await file.datasync();
    } catch (error) {
      // Whatever reached the file is a torn line the next writer cuts; reload before trusting it.
      this.#ino = -1;
      throw new AdapterError("file", `appending to ${this.path} failed`, { cause: error });
    } finally {
      await file?.close();
    }
    applyOp(this.table, op, this.path);
    this.#n = n;
    this.#offset += bytes.length;
    this.#size = this.#offset;
    this.#lines++;
  }

  /** Whether the file is mostly lines its state no longer needs (touches, removed records). */
  get compactionDue(): boolean {
    const needed = this.table.versionCount + this.table.size;
    return this.#lines >= MIN_COMPACT_LINES && this.#lines > 2 * needed;
  }

  /**
   * Rewrites the journal as its state (history kept, touches folded, removed records gone), in
   * the file's format or a newer one.
   */
  async compact(format: number = this.format): Promise<void> {
    const header = newHeader(this.store, this.#n, this.table.changes, format);
    const written = await replaceJournal(this.path, header, snapshotLines(this.table));
    this.format = format;
    this.#ino = (await stat(this.path)).ino;
    this.#offset = written.size;
    this.#size = written.size;
    this.#lines = written.lines;
  }
}
