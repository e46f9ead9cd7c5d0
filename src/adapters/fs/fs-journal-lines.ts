/**
 * Reading a record journal's lines (`fs-journal.ts`): streamed from a file in chunks, so memory
 * does not grow with the file; a `put`'s head (number, nonce, bot id, version) read without
 * parsing its record; and {@link LineOrder}, the rules that say which line is an operation.
 * @module
 */
import type { FileHandle } from "node:fs/promises";
import type { StoredRegistration } from "../../core/registry/registration.ts";
import { damaged, type JournalLine } from "./fs-journal.ts";

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

/** What replay needs of a line before (or without) reading all of it. */
export interface LineHead {
  n?: number;
  w?: string;
  torn?: number;
  op: string;
  /** A `put`'s bot id and version. */
  botId?: string;
  version?: number;
}

/** A line that is not an operation, and what is wrong with it. */
export class LineError extends Error {}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

// A put as this code writes it: the fence, then `"op":"put"`, then the record's bot_id and version.
const PUT_HEAD =
  /^\{(?:"n":(\d{1,15}),)?(?:"w":"([0-9a-f]{1,32})",)?(?:"torn":(\d{1,15}),)?"op":"put","record":\{"bot_id":("(?:[^"\\\r\n]|\\.)*"),"version":(\d{1,15})[,}]/;
// Most heads fit in the first; the longest bot id (256 characters, escaped) in the second.
const HEAD_BYTES = [256, 2048];

/**
 * The head of a `put` line written with its bot id and version first, and where its `"op"` key
 * starts (what a compaction copies); `null` for any other line (it is then parsed whole).
 * @example
 * putHead(bytes)?.head.version;
 */
export function putHead(bytes: Uint8Array): { head: LineHead; opAt: number } | null {
  // A torn line, closed off by the next writer, ends in "~" (never in "}"): parsed, it is junk.
  if (bytes[bytes.length - 1] !== 0x7d) return null;
  let m: RegExpExecArray | null = null;
  for (const room of HEAD_BYTES) {
    m = PUT_HEAD.exec(lenient.decode(bytes.subarray(0, Math.min(bytes.length, room))));
    if (m !== null || bytes.length <= room) break;
  }
  if (m === null || m[0].includes("\uFFFD")) return null;
  let botId: string;
  try {
    botId = JSON.parse(m[4] as string) as string;
  } catch {
    return null;
  }
  const head: LineHead = { op: "put", botId, version: Number(m[5]) };
  if (m[1] !== undefined) head.n = Number(m[1]);
  if (m[2] !== undefined) head.w = m[2];
  if (m[3] !== undefined) head.torn = Number(m[3]);
  // Everything before `"op"` is ASCII: its characters are its bytes.
  return { head, opAt: m[0].indexOf('"op":"put"') };
}

/**
 * A whole line parsed: `LineError` saying what is wrong when it is not valid UTF-8, not JSON or
 * not an operation.
 * @example
 * parseLine(new TextEncoder().encode('{"n":1,"op":"clear"}')); // { n: 1, op: "clear" }
 */
export function parseLine(bytes: Uint8Array): JournalLine {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    throw new LineError("is not valid UTF-8");
  }
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch (error) {
    throw new LineError(`is not JSON (${(error as Error).message})`);
  }
  const op = (line as { op?: unknown } | null)?.op;
  if (typeof line !== "object" || line === null || typeof op !== "string")
    throw new LineError("is not a journal operation");
  if (op === "put") {
    const record = (line as { record?: { bot_id?: unknown; version?: unknown } }).record;
    if (typeof record?.bot_id !== "string" || typeof record.version !== "number")
      throw new LineError("is a put without a bot_id and version");
  }
  return line as JournalLine;
}

/**
 * The head of a parsed line.
 * @example
 * headOf(parseLine(bytes)).n;
 */
export function headOf(line: JournalLine): LineHead {
  const head: LineHead = { op: line.op };
  if (line.n !== undefined) head.n = line.n;
  if (line.w !== undefined) head.w = line.w;
  if (line.torn !== undefined) head.torn = line.torn;
  if (line.op === "put") {
    head.botId = line.record.bot_id;
    head.version = line.record.version;
  }
  return head;
}

/**
 * Reads `length` bytes at `position` (fewer only at the end of the file).
 * @example
 * const bytes = await readAt(file, 100, 0);
 */
export async function readAt(
  file: FileHandle,
  length: number,
  position: number,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await file.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) return bytes.subarray(0, done);
    done += bytesRead;
  }
  return bytes;
}

/**
 * The record of the `put` line at `ref` in the journal `file` (at `path`, for messages): damage,
 * named, when it is not one.
 * @example
 * const record = await readPut(path, file, { at: 120, len: 340, line: 2 });
 */
export async function readPut(
  path: string,
  file: JournalFile,
  ref: LineRef,
): Promise<StoredRegistration> {
  const bytes = await readAt(file.handle, ref.len, ref.at);
  let line: JournalLine;
  try {
    line = parseLine(bytes);
  } catch (error) {
    if (!(error instanceof LineError)) throw error;
    throw damaged(path, ref.line, error.message);
  }
  if (line.op !== "put") throw damaged(path, ref.line, "is not the put it was");
  return line.record;
}

/** A complete line read from a journal: its bytes (valid until the next one) and offset. */
export interface ReadLine {
  bytes: Uint8Array;
  at: number;
}

const CHUNK = 4 << 20;

/**
 * The complete lines (ending in `\n`) of `file` between `from` and `to`, read in chunks of
 * 4 MiB (a longer line grows the buffer): memory stays flat whatever the file's size.
 * @example
 * for await (const { bytes, at } of readLines(file, 0, size)) count++;
 */
export async function* readLines(
  file: FileHandle,
  from: number,
  to: number,
): AsyncGenerator<ReadLine> {
  let buffer = new Uint8Array(Math.min(CHUNK, Math.max(to - from, 1)));
  let start = from; // file offset of buffer[0]
  let filled = 0;
  let pos = from;
  while (pos < to) {
    if (filled === buffer.length) {
      const bigger = new Uint8Array(buffer.length * 2);
      bigger.set(buffer);
      buffer = bigger;
    }
    const want = Math.min(buffer.length - filled, to - (start + filled));
    if (want <= 0) break;
    const { bytesRead } = await file.read(buffer, filled, want, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
    let lineStart = pos - start;
    for (;;) {
      const end = buffer.indexOf(0x0a, lineStart);
      if (end < 0 || end >= filled) break;
      yield { bytes: buffer.subarray(lineStart, end), at: start + lineStart };
      lineStart = end + 1;
    }
    pos = start + lineStart;
    // Keep the unfinished line at the front of the buffer.
    buffer.copyWithin(0, lineStart, filled);
    filled -= lineStart;
    start = pos;
  }
}

/**
 * Which lines of a journal are its operations, line by line: snapshot lines first, then numbers
 * that follow one another; a used number with a nonce is a writer that lost the race (skipped),
 * without one it is damage; a line that is not an operation is skipped only if the next one
 * says it closed a torn line (`torn`). Every other departure is an `AdapterError` naming the line.
 * @example
 * const order = new LineOrder(header.n, path);
 * if (order.next(head, 3) === "apply") applyOp(table, line);
 */
export class LineOrder {
  /** The number of the last operation. */
  n: number;
  /** The seal, once one is an operation: no operation may follow it. */
  sealed: { n: number; next: string; format: number } | null = null;
  readonly #path: string;
  readonly #from: number;
  // The line of each operation from the first (for the message naming a reused number).
  readonly #lines: number[] = [];
  #numbered = false;
  #junk: { line: number; what: string; at: number } | null = null;

  constructor(n: number, path: string) {
    this.n = n;
    this.#from = n + 1;
    this.#path = path;
  }

  /** The line `line` at offset `at` is not an operation: damage, unless the next one closes it. */
  junk(line: number, what: string, at: number): void {
    this.#settle();
    this.#junk = { line, what, at };
  }

  #settle(): void {
    if (this.#junk !== null) throw damaged(this.#path, this.#junk.line, this.#junk.what);
  }

  /** The verdict on the line `line` whose head is `head`: applied, or skipped (a lost race). */
  next(head: LineHead, line: number): "apply" | "skip" {
    if (head.torn !== undefined) this.#junk = null;
    this.#settle();
    if (head.n === undefined) {
      if (this.#numbered) throw damaged(this.#path, line, "is a snapshot line among operations");
      return "apply";
    }
    this.#numbered = true;
    if (head.n <= this.n) {
      if (head.w !== undefined) return "skip";
      const first = this.#lines[head.n - this.#from];
      throw damaged(
        this.#path,
        line,
        `uses operation ${head.n} again${first === undefined ? "" : ` (line ${first} has it)`}: two writers appended it, without fencing`,
      );
    }
    if (this.sealed !== null)
      throw damaged(this.#path, line, `follows the seal of operation ${this.sealed.n}`);
    if (head.n > this.n + 1)
      throw damaged(this.#path, line, `skips from operation ${this.n} to ${head.n}`);
    this.n = head.n;
    this.#lines.push(line);
    return "apply";
  }

  /**
   * The end of the complete lines read. A last line left unclosed is damage — unless bytes
   * follow it (the line closing it is being written): then it is not read yet, and this returns
   * its offset, to read it again.
   */
  end(more: boolean): number | null {
    const junk = this.#junk;
    if (junk === null) return null;
    if (!more) this.#settle();
    this.#junk = null;
    return junk.at;
  }
}
