/**
 * {@link JournalReplica}: one process's replay of a record journal — the state, where in which
 * file it stands, and what is done to the file: read what was appended since (a whole load when
 * the file was replaced: `fs-journal-load.ts`, from the index when it matches), append one
 * operation (fenced: see `fs-journal.ts`), read an old version back, index the state.
 *
 * Memory holds each bot's current record and, per kept version, where its line is in the file
 * (offset, length, line number): history is read from the file when asked for, so memory does
 * not grow with the size of old versions.
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
} from "./fs-journal.ts";
import {
  INDEX_HEAD_BYTES,
  type IndexedVersion,
  type JournalIndex,
  readIndex,
} from "./fs-journal-index.ts";
import {
  headOf,
  type JournalFile,
  LineError,
  type LineHead,
  LineOrder,
  type LineRef,
  parseLine,
  readAt,
  readLines,
  readPut,
} from "./fs-journal-lines.ts";
import { type LoadedJournal, loadFromIndex, scanJournal } from "./fs-journal-load.ts";

export type { JournalFile, LineRef } from "./fs-journal-lines.ts";

// Compact once the file holds more than this many lines and twice the lines its state needs.
const MIN_COMPACT_LINES = 256;

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/** 12 random hex digits: a writer's mark on the line it appends. */
function nonce(): string {
  return Array.from(getRandomValues(new Uint8Array(6)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
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
  /** The line count when the index was last written or read. */
  indexedAt = 0;
  #ino = -1;
  // Bytes of complete lines read; bytes seen (more when a line is being written, or torn).
  #offset = 0;
  #size = 0;
  #lines = 0;
  // Puts of the last whole load that had to be parsed whole (written before puts led with
  // their bot id and version): a compaction rewrites them once, for fast restarts after.
  #slow = 0;
  #order: LineOrder = new LineOrder(0, "");
  // The last line applied (the header, a snapshot line, an operation): the index's check.
  #last: { at: number; len: number } | null = null;
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

  /** Moves to the file a compaction wrote (its refs already moved): nothing to read. */
  adopt(
    ino: number,
    size: number,
    lines: number,
    header: JournalHeader,
    last: { at: number; len: number },
  ): void {
    this.#ino = ino;
    this.#offset = size;
    this.#size = size;
    this.#lines = lines;
    this.#slow = 0;
    this.#last = last;
    this.indexedAt = 0;
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

  /**
   * Loads the file into a fresh state: from the index and the lines after it when the index
   * matches the file, else all of it.
   */
  async #load(file: JournalFile): Promise<void> {
    this.#ino = -1;
    const index = await readIndex(this.path);
    if (index !== null) {
      try {
        const loaded = await loadFromIndex(this.path, file, index);
        if (loaded !== null) {
          this.#set(loaded, file, loaded.offset, index.lines);
          if (file.size > loaded.offset) await this.#readNew(file);
          return;
        }
      } catch {
        // An index that does not fit the file: read it whole (which names any damage).
      }
      this.#ino = -1;
    }
    this.#set(
      await scanJournal(this.path, file, (head) => this.#watched(head)),
      file,
      file.size,
      0,
    );
  }

  #set(loaded: LoadedJournal, file: JournalFile, size: number, indexedAt: number): void {
    this.table = loaded.table;
    this.store = loaded.header.store;
    this.file = loaded.header.file;
    this.format = loaded.header.format;
    this.#order = loaded.order;
    this.#last = loaded.last;
    this.#offset = loaded.offset;
    this.#size = size;
    this.#lines = loaded.lines;
    this.#slow = loaded.slow;
    this.indexedAt = indexedAt;
    this.#ino = file.ino;
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
      this.#watched(head);
      this.#last = { at, len: bytes.length };
      if (parsed.op === "seal")
        this.#order.sealed = { n: head.n as number, next: parsed.next, format: parsed.format };
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

  #watched(head: LineHead): void {
    if (this.#watch !== null && head.n === this.#watch.n) this.#watch.w = head.w;
  }

  /** The record of the `put` line at `ref` in `file`: damage, named, when it is not one. */
  readLine(file: JournalFile, ref: LineRef): Promise<StoredRegistration> {
    return readPut(this.path, file, ref);
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
    const line = opLine(op, torn === undefined ? { n, w } : { n, w, torn });
    const bytes = new TextEncoder().encode(`${torn === undefined ? "" : "~\n"}${line}\n`);
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

  /**
   * The index of the state (`fs-journal-index.ts`), for a writer to store beside the journal;
   * `null` when `file` is not the file read, or a version is not kept as one of its lines.
   */
  async index(file: JournalFile): Promise<JournalIndex | null> {
    const last = this.#last;
    if (last === null || file.ino !== this.#ino) return null;
    const bytes = await readAt(file.handle, Math.min(last.len, INDEX_HEAD_BYTES), last.at);
    const bots: JournalIndex["bots"] = [];
    for (const { botId, touchedAt, versions } of this.table.kept()) {
      const lines: IndexedVersion[] = [];
      for (const kept of versions) {
        if (!("ref" in kept)) return null;
        lines.push([kept.version, kept.ref.at, kept.ref.len, kept.ref.line]);
      }
      bots.push([botId, touchedAt, lines]);
    }
    return {
      botknobs: "record-journal-index",
      file: this.file,
      offset: this.#offset,
      lines: this.#lines,
      n: this.#order.n,
      changes: this.table.changes,
      slow: this.#slow,
      sealed: this.#order.sealed,
      last: { ...last, head: new TextDecoder().decode(bytes) },
      bots,
    };
  }
}
