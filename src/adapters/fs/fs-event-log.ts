/**
 * The files of a `FileEventBus`: each bus appends the events it publishes to segments of its own
 * (`<writer>.<seq>.jsonl`, one JSON line per event, each written with one `write`: see
 * `SegmentWriter`) and tails the segments of every other writer in the folder (`SegmentTail`).
 * No two processes ever append to one file, so lines never interleave, a rotation races with
 * nobody, and each writer's events are read in the order it wrote them. Here: their names, and
 * finding and removing them.
 * @module
 */
import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

const SEGMENT = /^([A-Za-z0-9_-]+)\.(\d+)\.jsonl$/;

/**
 * The file name of segment `seq` of `writer`.
 * @example
 * segmentName("p42-ab12cd34", 3); // "p42-ab12cd34.3.jsonl"
 */
export function segmentName(writer: string, seq: number): string {
  return `${writer}.${seq}.jsonl`;
}

/**
 * The `code` of a Node file-system error.
 * @example
 * if (codeOf(error) === "ENOENT") return null;
 */
export function codeOf(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/**
 * The segments in `dir` per writer, oldest first (an absent folder has none).
 * @example
 * (await segments(dir)).get("p42-ab12cd34"); // [2, 3]
 */
export async function segments(dir: string): Promise<Map<string, number[]>> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (codeOf(error) === "ENOENT") return [] as string[];
    throw error;
  });
  const found = new Map<string, number[]>();
  for (const name of names) {
    const m = SEGMENT.exec(name);
    if (!m) continue;
    const list = found.get(m[1] as string) ?? [];
    list.push(Number(m[2]));
    found.set(m[1] as string, list);
  }
  for (const list of found.values()) list.sort((a, b) => a - b);
  return found;
}

/**
 * Removes the segments of writers other than `self` unchanged since `cutoff` (ms since the
 * epoch): those of processes gone, or long idle (whose next line begins a new segment anyway).
 * @example
 * await prune(dir, self, Date.now() - 600_000);
 */
export async function prune(dir: string, self: string, cutoff: number): Promise<void> {
  for (const [writer, seqs] of await segments(dir)) {
    if (writer === self) continue;
    for (const seq of seqs) {
      const path = join(dir, segmentName(writer, seq));
      const s = await stat(path).catch(() => null);
      if (s && s.mtimeMs < cutoff) await unlink(path).catch(() => {});
    }
  }
}
