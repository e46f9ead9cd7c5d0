/**
 * {@link SegmentTail}: how a `FileEventBus` reads the lines the other buses in its folder append.
 * @module
 */
import { type FSWatcher, watch } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { codeOf, prune, segmentName, segments } from "./fs-event-log.ts";

const NEWLINE = 0x0a;

/** Where a tail is in one writer's segments. */
interface Cursor {
  seq: number;
  /**
   * The segment, open: a segment removed while this tail still reads it (rotated away, or aged
   * out while its writer was idle) stays readable to the end through it.
   */
  handle: FileHandle | null;
  /** Bytes consumed: everything before it was complete lines. */
  offset: number;
  /** The file's size when last read. */
  size: number;
  /** Started at the end of a file: the first bytes up to a newline may be the rest of a line. */
  resync: boolean;
}

/** Options of {@link SegmentTail}. */
export interface SegmentTailOptions {
  dir: string;
  /** This bus's own writer, whose segments it does not read. */
  self: string;
  /** Complete lines of another writer, in its order; awaited before the tail reads on. */
  lines(lines: string[], writer: string): Promise<void>;
  /** Lines of some writer were lost to this tail (it fell more than a segment behind). */
  gap(writer: string): Promise<void>;
  /** Poll this often besides watching the folder (ms). */
  pollMs: number;
  /** Segments of other writers unchanged for this long are removed (ms). */
  retainMs: number;
  /** The clock (ms since the epoch), against the files' modification times. */
  now: () => number;
  report(error: unknown, context: string): void;
}

/** Opens a segment to read; null when it is not there. */
async function openSegment(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, "r");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return null;
    throw error;
  }
}

/**
 * Reads the lines other writers append to the folder, each once, from where they were at
 * `start()`: woken by `fs.watch` on the folder, with a poll every `pollMs` in case a notice is
 * missed (or the platform has none).
 * @example
 * const tail = new SegmentTail({ dir, self, lines, gap, pollMs: 250, retainMs: 600_000, now: Date.now, report });
 * await tail.start();
 */
export class SegmentTail {
  readonly #o: SegmentTailOptions;
  readonly #cursors = new Map<string, Cursor>();
  #watcher: FSWatcher | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #lastPrune = 0;

  constructor(options: SegmentTailOptions) {
    this.#o = options;
  }

  #path(writer: string, seq: number): string {
    return join(this.#o.dir, segmentName(writer, seq));
  }

  /** Notes where every writer is now, then starts watching. */
  async start(): Promise<void> {
    const { dir, self } = this.#o;
    await mkdir(dir, { recursive: true });
    await this.#prune();
    for (const [writer, seqs] of await segments(dir)) {
      if (writer === self) continue;
      const seq = seqs[seqs.length - 1] as number;
      const handle = await openSegment(this.#path(writer, seq));
      if (!handle) continue;
      const { size } = await handle.stat();
      this.#cursors.set(writer, { seq, handle, offset: size, size, resync: size > 0 });
    }
    if (this.#stopped) return this.#closeAll();
    const instead = `watching ${dir} (polling every ${this.#o.pollMs} ms instead)`;
    try {
      this.#watcher = watch(dir, { persistent: false }, (_type, name) => {
        if (typeof name === "string" && name.startsWith(`${self}.`)) return;
        this.wake();
      });
      this.#watcher.on("error", (error) => {
        this.#o.report(error, instead);
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch (error) {
      this.#o.report(error, instead);
    }
    this.#timer = setInterval(() => this.wake(), this.#o.pollMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Reads what is new (one pass at a time; a wake-up during a pass runs one more after it). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#pass();
        } catch (error) {
          this.#o.report(error, `reading events in ${this.#o.dir}`);
        }
      } while (this.#again && !this.#stopped);
      this.#running = null;
    })();
  }

  /** Stops watching and closes the segments; resolves once a pass in progress has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    clearInterval(this.#timer);
    await this.#running;
    await this.#closeAll();
  }

  async #closeAll(): Promise<void> {
    for (const cursor of this.#cursors.values()) await cursor.handle?.close().catch(() => {});
    this.#cursors.clear();
  }

  async #prune(): Promise<void> {
    this.#lastPrune = this.#o.now();
    await prune(this.#o.dir, this.#o.self, this.#lastPrune - this.#o.retainMs);
  }

  async #pass(): Promise<void> {
    if (this.#o.now() - this.#lastPrune > this.#o.retainMs / 4) await this.#prune();
    const all = await segments(this.#o.dir);
    for (const [writer, cursor] of this.#cursors) {
      if (all.has(writer)) continue;
      // Every segment of this writer is gone: read what the open one still holds, then forget it.
      if (cursor.handle) await this.#follow(writer, cursor, []);
      await cursor.handle?.close().catch(() => {});
      this.#cursors.delete(writer);
    }
    for (const [writer, seqs] of all) {
      if (writer === this.#o.self || this.#stopped) continue;
      let cursor = this.#cursors.get(writer);
      // A writer that began after start(): everything it wrote is new.
      if (!cursor) {
        cursor = { seq: seqs[0] as number, handle: null, offset: 0, size: 0, resync: false };
        this.#cursors.set(writer, cursor);
      }
      await this.#follow(writer, cursor, seqs);
    }
  }

  /** Reads one writer's segments from the cursor on (`seqs`: those in the folder now). */
  async #follow(writer: string, cursor: Cursor, seqs: number[]): Promise<void> {
    for (;;) {
      cursor.handle ??= await openSegment(this.#path(writer, cursor.seq));
      const later = seqs.find((s) => s > cursor.seq);
      if (!cursor.handle) {
        // Gone before this tail opened it: a segment holds lines from its creation on.
        await this.#o.gap(writer);
        if (later === undefined) {
          this.#cursors.delete(writer);
          return;
        }
        Object.assign(cursor, { seq: later, offset: 0, size: 0, resync: false });
        continue;
      }
      await this.#read(writer, cursor, cursor.handle);
      if (later === undefined) return;
      // The writer began a later segment only after its last line to this one: this one is
      // whole, and read to its end.
      if (cursor.size > cursor.offset)
        this.#o.report(
          new Error(`a torn line at byte ${cursor.offset} (its writer stopped mid-write)`),
          `reading ${this.#path(writer, cursor.seq)}`,
        );
      await cursor.handle?.close().catch(() => {});
      if (later !== cursor.seq + 1) await this.#o.gap(writer);
      Object.assign(cursor, { seq: later, handle: null, offset: 0, size: 0, resync: false });
    }
  }

  /** Reads the new complete lines of the cursor's segment and hands them on. */
  async #read(writer: string, cursor: Cursor, handle: FileHandle): Promise<void> {
    const { size } = await handle.stat();
    if (size <= cursor.size) return;
    // After a resync, from one byte early: whether the cursor sits at a line's start shows.
    const from = cursor.resync ? cursor.offset - 1 : cursor.offset;
    let bytes = Buffer.allocUnsafe(size - from);
    let got = 0;
    while (got < bytes.byteLength) {
      const { bytesRead } = await handle.read(bytes, got, bytes.byteLength - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    bytes = bytes.subarray(0, got);
    cursor.size = from + got;
    let start = 0;
    if (cursor.resync) {
      start = bytes.indexOf(NEWLINE) + 1;
      if (start === 0) return;
      cursor.resync = false;
    }
    const end = bytes.lastIndexOf(NEWLINE) + 1;
    if (end <= start) {
      cursor.offset = from + start;
      return;
    }
    cursor.offset = from + end;
    if (!this.#stopped)
      await this.#o.lines(
        bytes
          .subarray(start, end - 1)
          .toString("utf8")
          .split("\n"),
        writer,
      );
  }
}
