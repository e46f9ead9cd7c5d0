/**
 * {@link Progress}: how far a long step is (upload, ingestion) — files, MB, chunks, rate and
 * ETA. On a terminal, one bar redrawn in place on stderr (at most ten times a second); otherwise
 * a plain line every few seconds, so logs stay readable.
 * @module
 */
import { formatBytes, formatCount, formatDuration, type Output, paint } from "./output.ts";

/** Where a step stands. */
export interface ProgressState {
  files: number;
  bytes?: number;
  chunks?: number;
  /** Said instead of the rate and ETA (a step's last part, which counts nothing: "writing the index"). */
  note?: string;
}

/** What a step will reach. */
export interface ProgressTotals {
  files: number;
  bytes?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** What the rate and ETA count: bytes (an upload) or files (ingestion). Default files. */
  rateBy?: "bytes" | "files";
  /** The clock in ms (default `performance.now`). */
  now?: () => number;
  /** Between two plain lines, in ms (default 2000). */
  plainEveryMs?: number;
}

const BAR = 20;

/**
 * One step's progress on stderr.
 * @example
 * const bar = new Progress(out, "upload", { files: 3157, bytes: 39e6 }, { rateBy: "bytes" });
 * bar.update({ files: 10, bytes: 120_000 });
 * bar.finish();
 */
export class Progress {
  readonly #out: Output;
  readonly #label: string;
  readonly #totals: ProgressTotals;
  readonly #rateBy: "bytes" | "files";
  readonly #now: () => number;
  readonly #plainEveryMs: number;
  readonly #began: number;
  #state: ProgressState = { files: 0 };
  #shownAt = Number.NEGATIVE_INFINITY;
  #finished = false;

  constructor(out: Output, label: string, totals: ProgressTotals, options: ProgressOptions = {}) {
    this.#out = out;
    this.#label = label;
    this.#totals = totals;
    this.#rateBy = options.rateBy ?? "files";
    this.#now = options.now ?? (() => performance.now());
    this.#plainEveryMs = options.plainEveryMs ?? 2000;
    this.#began = this.#now();
    // A plain line comes only once the step has run a while (and at its end): a short step
    // prints one line, not two.
    if (!out.errTty) this.#shownAt = this.#began;
  }

  /** Records the new state; redraws when it is time to. */
  update(state: ProgressState): void {
    if (this.#finished) return;
    this.#state = state;
    const now = this.#now();
    const every = this.#out.errTty ? 100 : this.#plainEveryMs;
    if (now - this.#shownAt < every) return;
    this.#shownAt = now;
    this.#show(now);
  }

  /** Shows the last state once more and ends the line. */
  finish(state: ProgressState = this.#state): void {
    if (this.#finished) return;
    this.#state = state;
    this.#show(this.#now());
    this.#finished = true;
    if (this.#out.errTty) this.#out.writeErr("\n");
  }

  #show(now: number): void {
    const { files, bytes, chunks } = this.#state;
    const { files: totalFiles, bytes: totalBytes } = this.#totals;
    const seconds = Math.max((now - this.#began) / 1000, 1e-3);
    const parts = [`${formatCount(files)}/${formatCount(totalFiles)} files`];
    if (totalBytes !== undefined)
      parts.push(`${formatBytes(bytes ?? 0)}/${formatBytes(totalBytes)}`.replace(/ MB\//, "/"));
    if (chunks !== undefined) parts.push(`${formatCount(chunks)} chunks`);
    const done = this.#rateBy === "bytes" ? (bytes ?? 0) : files;
    const total = this.#rateBy === "bytes" ? (totalBytes ?? 0) : totalFiles;
    const rate = done / seconds;
    const left = total - done;
    const speed =
      this.#rateBy === "bytes" ? `${formatBytes(rate)}/s` : `${formatCount(rate)} files/s`;
    const eta =
      left <= 0
        ? `in ${formatDuration(seconds)}`
        : `ETA ${rate > 0 ? formatDuration(left / rate) : "?"}`;
    parts.push(...(this.#state.note === undefined ? [speed, eta] : [this.#state.note]));
    const share = total > 0 ? Math.min(1, done / total) : 1;
    if (!this.#out.errTty) {
      this.#out.note(`${this.#label}: ${parts.join(", ")} (${Math.floor(share * 100)}%)`);
      return;
    }
    const full = Math.round(share * BAR);
    const percent = `${String(Math.floor(share * 100)).padStart(3)}%`;
    const line = (bar: string): string =>
      `${this.#label.padEnd(7)} ${bar}${"░".repeat(BAR - full)} ${percent}  ${parts.join(" · ")}`;
    const plain = line("█".repeat(full));
    // Cut to the terminal, so that the line never wraps (a wrapped line cannot be redrawn).
    const width = this.#out.errColumns - 1;
    const shown =
      plain.length > width
        ? `${plain.slice(0, width - 1)}…`
        : line(paint(this.#out.errColor, "cyan", "█".repeat(full)));
    this.#out.writeErr(`\r\x1b[2K${shown}`);
  }
}
