/**
 * {@link Draft}: one change of a knowledge base being prepared against the head it read — the
 * summary to write and the file-list edits, which read through to the tree for what they do
 * not change. Committing it is the backend's job.
 * @module
 */
import { ConflictError } from "../../errors.ts";
import { type FileEntry, lookup, type NodeSource, scan, type TreeNode } from "./manifest-tree.ts";
import type { KnowledgeBaseInfoDict } from "./models.ts";

/** An ingestion lease: who holds it (null: a claim written without an owner) and until when. */
export interface Lease {
  owner: string | null;
  /** ISO time. */
  until: string;
}

/** A change of one knowledge base, against the head it was read from. */
export class Draft {
  /** The summary to write (a copy: edit it freely). */
  readonly info: KnowledgeBaseInfoDict;
  /** The ingestion lease to write (null: none): `undefined` keeps the current one. */
  lease: Lease | null | undefined = undefined;
  /** File-list edits: path → new entry, or null to remove. */
  readonly changes: Map<string, FileEntry | null> = new Map();
  readonly #root: TreeNode;
  readonly #source: NodeSource;
  #touched = false;

  constructor(info: KnowledgeBaseInfoDict, root: TreeNode, source: NodeSource) {
    this.info = { ...info };
    this.#root = root;
    this.#source = source;
  }

  /** Whether anything is to be written (files, summary or lease). */
  get dirty(): boolean {
    return this.#touched || this.changes.size > 0 || this.lease !== undefined;
  }

  /** Marks the summary as changed (status, error). */
  touch(): void {
    this.#touched = true;
  }

  /** The entry at `path` as it will be after this change. */
  async get(path: string): Promise<FileEntry | null> {
    const pending = this.changes.get(path);
    if (pending !== undefined) return pending;
    return lookup(this.#root, path, this.#source);
  }

  set(path: string, entry: FileEntry | null): void {
    const before = this.changes.get(path);
    if (before) this.#count(path, -1);
    if (entry) this.#count(path, 1);
    this.changes.set(path, entry);
  }

  /** Per folder (`"docs/"`): how many files this change adds below it, and one of them. */
  readonly #added = new Map<string, { n: number; path: string }>();

  #count(path: string, delta: number): void {
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
      const folder = path.slice(0, i + 1);
      const seen = this.#added.get(folder) ?? { n: 0, path };
      seen.n += delta;
      if (delta > 0) seen.path = path;
      if (seen.n > 0) this.#added.set(folder, seen);
      else this.#added.delete(folder);
    }
  }

  /** The first file below `folder` (`"docs/"`) as it will be after this change, or null. */
  async firstUnder(folder: string): Promise<string | null> {
    const added = this.#added.get(folder);
    if (added) return added.path;
    for await (const entry of scan(this.#root, folder, this.#source))
      if (this.changes.get(entry.path) !== null) return entry.path;
    return null;
  }

  /**
   * One rule on every store: a path is a file or a folder of files, never both (a file system
   * cannot hold `a` and `a/b` at once, and the files must be exportable to one).
   */
  async checkPlacement(path: string): Promise<void> {
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
      const folder = path.slice(0, i);
      if (await this.get(folder))
        throw new ConflictError(
          `Cannot store '${path}' in knowledge base '${this.info.domain_id}': '${folder}' is a file`,
        );
    }
    const inside = await this.firstUnder(`${path}/`);
    if (inside !== null)
      throw new ConflictError(
        `Cannot store '${path}' in knowledge base '${this.info.domain_id}': it is a folder holding '${inside}'`,
      );
  }
}
