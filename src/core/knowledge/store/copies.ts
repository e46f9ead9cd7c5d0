/**
 * The copies of knowledge files at `<domain>/<path>`, the seed's layout, for tools that read the
 * store directly (file browsers, rclone, S3 browsers, Cloudflare AI Search over an R2 bucket).
 * The file list and the immutable uploads are the truth; the copies follow them after each
 * commit (a hard link on a file system, a shared buffer in memory, a store-side copy where the
 * store has one) and `repair` puts them right after a crash.
 * @module
 */
import { copyObject } from "../../blob/copy.ts";
import type { ErrorReporter } from "../../events/types.ts";
import type { DomainHeads } from "./domain-heads.ts";
import { type FileEntry, lookup, scan } from "./manifest-tree.ts";
import { METADATA_FILE } from "./paths.ts";

export class FileCopies {
  readonly #heads: DomainHeads;
  readonly #report: ErrorReporter;
  /** False: no copies are kept (`mirror: false`). */
  readonly enabled: boolean;

  constructor(heads: DomainHeads, enabled: boolean, report: ErrorReporter) {
    this.#heads = heads;
    this.enabled = enabled;
    this.#report = report;
  }

  /**
   * The entries of `paths` in the current head (null: not listed) with the store key of each
   * one's bytes; null when the domain is gone.
   */
  #entries(
    domainId: string,
    paths: string[],
    cachedFirst = false,
  ): Promise<Map<string, { blob: string | null; key: string } | null> | null> {
    return this.#heads.withHead(
      domainId,
      null,
      async (head, source) => {
        const found = new Map<string, { blob: string | null; key: string } | null>();
        for (const p of paths) {
          const e = await lookup(head.doc.root, p, source);
          found.set(
            p,
            e && {
              blob: e.blob,
              key: this.#heads.contentKey(domainId, head.doc.info.generation, e),
            },
          );
        }
        return found;
      },
      cachedFirst,
    );
  }

  /**
   * Brings the copies of `paths` in step with the list. Writers finishing in another order may
   * copy an older version last; each writer checks the list again after copying and repeats for
   * what moved, so the last one to finish leaves the copies current.
   */
  async sync(domainId: string, paths: string[]): Promise<void> {
    if (!this.enabled || paths.length === 0) return;
    const { store } = this.#heads;
    let pending = paths;
    let lastError: unknown;
    for (let round = 0; round < 6 && pending.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 5 * round));
      // The first look uses the head this writer just committed; the check after copying reads
      // the store, so a newer writer's list is never missed.
      const want = await this.#entries(domainId, pending, round === 0);
      if (!want) return; // deleted: deleteKb removes the copies
      const failed = new Set<string>();
      for (const [path, entry] of want) {
        try {
          const key = this.#heads.copyKey(domainId, path);
          if (!entry) await store.delete(key);
          else if (entry.blob !== null) await copyObject(store, entry.key, key);
        } catch (error) {
          // A file where a folder must go: `a` removed by a writer that has not yet removed its copy.
          failed.add(path);
          lastError = error;
        }
      }
      const now = await this.#entries(domainId, pending);
      if (!now) return;
      pending = pending.filter(
        (p) => failed.has(p) || (want.get(p)?.blob ?? null) !== (now.get(p)?.blob ?? null),
      );
    }
    if (pending.length > 0)
      this.#report(
        lastError ?? new Error("the file list kept changing"),
        `copying ${pending.length} file(s) of '${domainId}' to <domain>/<path> (repairCopies or sweep brings them in step)`,
      );
  }

  /** Makes the copies match the list exactly; returns how many it changed. */
  async repair(domainId: string): Promise<number> {
    if (!this.enabled) return 0;
    const heads = this.#heads;
    const base = `${heads.prefix}${domainId}/`;
    const present = new Map<string, number>();
    await heads.keysUnder(base, (key, _uploaded, size) => {
      const rest = key.slice(base.length);
      if (rest !== METADATA_FILE && !rest.startsWith(".botknobs/")) present.set(rest, size);
      return false;
    });
    const listed = await heads.withHead(domainId, null, async (head, source) => {
      const all: (FileEntry & { key: string })[] = [];
      for await (const e of scan(head.doc.root, "", source))
        all.push({ ...e, key: heads.contentKey(domainId, head.doc.info.generation, e) });
      return all;
    });
    if (!listed) return 0;
    let changed = 0;
    const keep = new Set<string>();
    for (const e of listed) {
      keep.add(e.path);
      if (e.blob === null || present.get(e.path) === e.size_bytes) continue;
      await copyObject(heads.store, e.key, heads.copyKey(domainId, e.path));
      changed++;
    }
    const stray = [...present.keys()].filter((p) => !keep.has(p));
    await heads.store.delete(stray.map((p) => heads.copyKey(domainId, p)));
    return changed + stray.length;
  }
}
