/**
 * {@link SegmentWriter}: how a `FileEventBus` appends its events to log segments of its own.
 * @module
 */
import { type FileHandle, mkdir, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { prune, segmentName } from "./fs-event-log.ts";

/** Options of {@link SegmentWriter}. */
export interface SegmentWriterOptions {
  dir: string;
  /** This writer's name in the folder (unique per bus). */
  writer: string;
  /** A segment past this size is closed and the next one begun. */
  segmentBytes: number;
  /** The clock (ms since the epoch). */
  now: () => number;
  /** Other writers' segments unchanged this long are removed when this one first writes (ms). */
  retainMs: number;
}

/** A writer idle this long closes its segment (holding no file open); its next line begins a new one. */
const IDLE_MS = 1000;

/**
 * Appends lines to this writer's segments, one at a time, in call order. A segment ends when it
 * is full, when the writer has been idle for a second, or when it closes, and is never written
 * again (so a reader that holds it open, even once it is removed, has all of it); the writer
 * then removes the one before it, keeping two for readers that lag.
 * @example
 * const writer = new SegmentWriter({ dir, writer: "p42-ab12", segmentBytes: 1 << 20, now: Date.now, retainMs: 600_000 });
 * await writer.append(new TextEncoder().encode('{"topic":"t"}\n'));
 */
export class SegmentWriter {
  readonly #o: SegmentWriterOptions;
  #handle: FileHandle | null = null;
  #seq = 0;
  #size = 0;
  #lastWrite = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: SegmentWriterOptions) {
    this.#o = options;
  }

  /** Appends one line (its bytes end in `\n`); resolves once it is in the file. */
  append(line: Uint8Array): Promise<void> {
    return this.#enqueue(() => this.#append(line));
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #append(line: Uint8Array): Promise<void> {
    const full = this.#size > 0 && this.#size + line.byteLength > this.#o.segmentBytes;
    if (this.#handle && (full || this.#o.now() - this.#lastWrite >= IDLE_MS)) await this.#next();
    const handle = this.#handle ?? (await this.#open());
    try {
      for (let written = 0; written < line.byteLength; ) {
        const { bytesWritten } = await handle.write(line, written, line.byteLength - written);
        written += bytesWritten;
      }
    } catch (error) {
      // Whatever part was written stays a torn line at the end of this segment: the next line
      // goes to a new one, never glued onto it.
      await this.#next();
      throw error;
    }
    this.#size += line.byteLength;
    this.#lastWrite = this.#o.now();
    this.#armIdle();
  }

  async #open(): Promise<FileHandle> {
    const { dir, writer, now, retainMs } = this.#o;
    await mkdir(dir, { recursive: true });
    // Once per writer: what processes gone left, even where no bus ever reads the folder.
    if (this.#seq === 0) await prune(dir, writer, now() - retainMs).catch(() => {});
    // A new file each time ("x"): a segment is only ever written through one handle.
    const handle = await open(join(dir, segmentName(writer, this.#seq)), "ax");
    this.#size = 0;
    this.#handle = handle;
    return handle;
  }

  #armIdle(): void {
    if (this.#idle) return;
    this.#idle = setTimeout(() => {
      this.#idle = undefined;
      void this.#enqueue(async () => {
        if (!this.#handle) return;
        if (this.#o.now() - this.#lastWrite >= IDLE_MS) await this.#next();
        else this.#armIdle();
      });
    }, IDLE_MS);
    (this.#idle as { unref?: () => void }).unref?.();
  }

  /** Ends the current segment (the next line begins the next one) and removes the one before it. */
  async #next(): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    this.#handle = null;
    this.#seq++;
    await handle.close().catch(() => {});
    if (this.#seq >= 2)
      await unlink(join(this.#o.dir, segmentName(this.#o.writer, this.#seq - 2))).catch(() => {});
  }

  /** Ends the current segment and stops its idle timer (a later `append` begins the next). */
  close(): Promise<void> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    return this.#enqueue(() => this.#next());
  }
}
