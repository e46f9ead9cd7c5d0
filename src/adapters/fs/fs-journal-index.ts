/**
 * The record journal's index (`.botknobs-index-registry` beside it): what a whole read of the
 * journal found up to an offset — each bot's kept versions and where their lines are, its last
 * access, the counters. Writers write it now and then (temporary file, then renamed into place),
 * so that a restart reads the index and the lines after it rather than the whole journal, and
 * its time stops growing with the history kept. It is a cache: an index of another file (its id
 * in the journal's header), or whose last line is not where and what the journal holds, is
 * ignored and the journal read whole.
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { COMPACT_PREFIX } from "./fs-journal.ts";
import { RESERVED_PREFIX } from "./fs-lock.ts";

/** The index's name in a registry folder. */
export const INDEX_NAME: string = `${RESERVED_PREFIX}index-registry`;

/** How many of a line's first bytes the index keeps, to check it is still the same line. */
export const INDEX_HEAD_BYTES = 48;

/** A kept version in the index: its number, and its line's offset, length and line number. */
export type IndexedVersion = [version: number, at: number, len: number, line: number];

/** The index of a journal, up to `offset`. */
export interface JournalIndex {
  botknobs: "record-journal-index";
  /** The journal's file id (its header's): an index of another file is ignored. */
  file: string;
  /** Bytes of complete lines covered; lines after the header; the last operation's number. */
  offset: number;
  lines: number;
  n: number;
  /** The revision counter; puts parsed whole (written before puts led with bot and version). */
  changes: number;
  slow: number;
  sealed: { n: number; next: string; format: number } | null;
  /** The last line covered: where, how long, its first bytes (the check). */
  last: { at: number; len: number; head: string } | null;
  /** Each bot: its id, the last access recorded since its current version, its kept versions. */
  bots: Array<[botId: string, touchedAt: string | null, versions: IndexedVersion[]]>;
}

/**
 * The index beside the journal at `journal`, or `null` (none, or not an index).
 * @example
 * const index = await readIndex("/data/registry/registry.jsonl");
 */
export async function readIndex(journal: string): Promise<JournalIndex | null> {
  try {
    const index = JSON.parse(
      await readFile(join(dirname(journal), INDEX_NAME), "utf8"),
    ) as JournalIndex;
    return index?.botknobs === "record-journal-index" && Array.isArray(index.bots) ? index : null;
  } catch {
    return null;
  }
}

/**
 * Writes the index beside the journal at `journal`, whole (a reader sees the old or the new).
 * @example
 * await writeIndex(path, await replica.index(file));
 */
export async function writeIndex(journal: string, index: JournalIndex): Promise<void> {
  const temp = join(dirname(journal), `${COMPACT_PREFIX}index-${randomUUID()}`);
  try {
    await writeFile(temp, JSON.stringify(index), { flag: "wx" });
    await rename(temp, join(dirname(journal), INDEX_NAME));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
