/**
 * The file list of a knowledge base as a copy-on-write B+tree of immutable nodes, sorted by
 * path. The root sits inside the domain's head object (`_metadata.json`); other nodes are
 * objects of their own, written once and never changed. A change rewrites only the nodes on the
 * paths from the root to the changed entries, so one file's write costs a bounded number of
 * bounded objects however many files the domain holds (about three at 100,000 files).
 * @module
 */

/** One file as the list keeps it: the stored form of a `KnowledgeFile` and where its bytes are. */
export interface FileEntry {
  path: string;
  checksum: string;
  size_bytes: number;
  content_type: string;
  uploaded_at: string;
  /**
   * The id of the immutable content object in the generation's `blobs/` folder; `null` for
   * content at `<domain>/<path>` (written before format 2).
   */
  blob: string | null;
  metadata: Record<string, unknown>;
}

/** A leaf: entries sorted by path, each `[path, checksum, size, type, uploaded, blob, metadata?]`. */
export interface LeafNode {
  e: EntryRow[];
}
/** An inner node: children sorted by their first path, each `[first, key, count, bytes]`. */
export interface InnerNode {
  c: ChildRow[];
}
/** A node of the tree (the root is one too, kept inline in the head). */
export type TreeNode = LeafNode | InnerNode;

type EntryRow = [string, string, number, string, string, string | null, Record<string, unknown>?];
type ChildRow = [string, string, number, number];

/** How nodes are read and named. Nodes are immutable: `load` may cache them forever. */
export interface NodeSource {
  /** The node with this id. */
  load(id: string): Promise<TreeNode>;
  /** A fresh, unique id for a new node (short: it is stored in its parent). */
  newKey(): string;
  /** The store key of a node id. */
  keyOf(id: string): string;
}

/** The most entries of a leaf and children of an inner node (tests use smaller trees). */
export interface TreeShape {
  leafMax: number;
  innerMax: number;
}

/** About 13 KB per leaf and 6 KB per inner node at typical path lengths. */
export const DEFAULT_SHAPE: TreeShape = { leafMax: 64, innerMax: 64 };

/** An empty tree's root. */
export const EMPTY_ROOT: TreeNode = { e: [] };

export function isLeaf(node: TreeNode): node is LeafNode {
  return Array.isArray((node as LeafNode).e);
}

export function rowOf(e: FileEntry): EntryRow {
  const row: EntryRow = [e.path, e.checksum, e.size_bytes, e.content_type, e.uploaded_at, e.blob];
  if (Object.keys(e.metadata).length > 0) row.push(e.metadata);
  return row;
}

export function entryOf(r: EntryRow): FileEntry {
  return {
    path: r[0],
    checksum: r[1],
    size_bytes: r[2],
    content_type: r[3],
    uploaded_at: r[4],
    blob: r[5],
    metadata: r[6] ?? {},
  };
}

/** Files and bytes under a node. */
export function totals(node: TreeNode): { count: number; bytes: number } {
  if (isLeaf(node)) return { count: node.e.length, bytes: node.e.reduce((n, r) => n + r[2], 0) };
  return node.c.reduce((t, r) => ({ count: t.count + r[2], bytes: t.bytes + r[3] }), {
    count: 0,
    bytes: 0,
  });
}

function firstPath(node: TreeNode): string {
  return (isLeaf(node) ? node.e[0]?.[0] : node.c[0]?.[0]) ?? "";
}

/** The index of the child whose range holds `path` (the first child holds everything before). */
function childIndex(node: InnerNode, path: string): number {
  let lo = 0;
  let hi = node.c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((node.c[mid] as ChildRow)[0] <= path) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Splits `items` into near-equal pieces of at most `max`. */
function split<T>(items: T[], max: number): T[][] {
  if (items.length <= max) return items.length ? [items] : [];
  const pieces = Math.ceil(items.length / max);
  const size = Math.ceil(items.length / pieces);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The entry at `path`, or null. */
export async function lookup(
  root: TreeNode,
  path: string,
  source: NodeSource,
): Promise<FileEntry | null> {
  let node = root;
  while (!isLeaf(node)) {
    if (node.c.length === 0) return null;
    node = await source.load((node.c[childIndex(node, path)] as ChildRow)[1]);
  }
  let lo = 0;
  let hi = node.e.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = (node.e[mid] as EntryRow)[0];
    if (p === path) return entryOf(node.e[mid] as EntryRow);
    if (p < path) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/** Every entry whose path starts with `prefix`, in path order, reading only the nodes that can hold one. */
export async function* scan(
  root: TreeNode,
  prefix: string,
  source: NodeSource,
): AsyncGenerator<FileEntry> {
  if (isLeaf(root)) {
    for (const r of root.e) if (r[0].startsWith(prefix)) yield entryOf(r);
    return;
  }
  for (let i = 0; i < root.c.length; i++) {
    const row = root.c[i] as ChildRow;
    const next = root.c[i + 1];
    // The child covers [row.first, next.first): skip it when that range cannot hold the prefix.
    if (next && next[0] <= prefix) continue;
    if (prefix && row[0] > prefix && !row[0].startsWith(prefix)) return;
    yield* scan(await source.load(row[1]), prefix, source);
  }
}

/** Every node id reachable from `root` (for the sweep of unreferenced objects). */
export async function* nodeKeys(root: TreeNode, source: NodeSource): AsyncGenerator<string> {
  if (isLeaf(root)) return;
  for (const row of root.c) {
    yield row[1];
    yield* nodeKeys(await source.load(row[1]), source);
  }
}

/** The result of {@link applyChanges}: the new root and the objects to write and to drop. */
export interface TreeChange {
  root: TreeNode;
  /** New nodes by id: write them before the head that points to them. */
  written: Map<string, TreeNode>;
  /** Ids of nodes the new tree no longer uses: delete them after the head is replaced. */
  dropped: string[];
}

/**
 * Applies `changes` (path → new entry, or null to remove) to the tree under `root`.
 * @example
 * const { root, written, dropped } = await applyChanges(head.root, new Map([["faq.md", entry]]), source);
 */
export async function applyChanges(
  root: TreeNode,
  changes: Map<string, FileEntry | null>,
  source: NodeSource,
  shape: TreeShape = DEFAULT_SHAPE,
): Promise<TreeChange> {
  const written = new Map<string, TreeNode>();
  const dropped: string[] = [];
  const sorted = [...changes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const store = (node: TreeNode): ChildRow => {
    const key = source.newKey();
    written.set(key, node);
    const t = totals(node);
    return [firstPath(node), key, t.count, t.bytes];
  };

  const apply = async (node: TreeNode, list: [string, FileEntry | null][]): Promise<TreeNode[]> => {
    if (isLeaf(node)) {
      const merged = new Map(node.e.map((r) => [r[0], r] as const));
      for (const [path, entry] of list) {
        if (entry) merged.set(path, rowOf(entry));
        else merged.delete(path);
      }
      const rows = [...merged.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      return split(rows, shape.leafMax).map((e) => ({ e }));
    }
    const rows: ChildRow[] = [];
    let j = 0;
    for (let i = 0; i < node.c.length; i++) {
      const row = node.c[i] as ChildRow;
      const bound = node.c[i + 1]?.[0];
      const mine: [string, FileEntry | null][] = [];
      while (j < list.length && (bound === undefined || (list[j] as [string, unknown])[0] < bound))
        mine.push(list[j++] as [string, FileEntry | null]);
      if (mine.length === 0) {
        rows.push(row);
        continue;
      }
      dropped.push(row[1]);
      for (const child of await apply(await source.load(row[1]), mine)) rows.push(store(child));
    }
    await mergeSmall(rows);
    return split(rows, shape.innerMax).map((c) => ({ c }));
  };

  // A child left with under a quarter of its capacity is merged into a neighbour (one more read).
  const mergeSmall = async (rows: ChildRow[]): Promise<void> => {
    for (let i = 0; i < rows.length && rows.length > 1; i++) {
      const row = rows[i] as ChildRow;
      if (!written.has(row[1])) continue;
      const node = written.get(row[1]) as TreeNode;
      const max = isLeaf(node) ? shape.leafMax : shape.innerMax;
      const size = isLeaf(node) ? node.e.length : node.c.length;
      if (size * 4 >= max) continue;
      const n = i + 1 < rows.length ? i + 1 : i - 1;
      const other = rows[n] as ChildRow;
      const neighbour = written.get(other[1]) ?? (await source.load(other[1]));
      const [a, b] = n > i ? [node, neighbour] : [neighbour, node];
      const pieces = isLeaf(a)
        ? split([...a.e, ...(b as LeafNode).e], shape.leafMax).map((e) => ({ e }))
        : split([...a.c, ...(b as InnerNode).c], shape.innerMax).map((c) => ({ c }));
      for (const key of [row[1], other[1]]) {
        if (!written.delete(key)) dropped.push(key);
      }
      rows.splice(Math.min(i, n), 2, ...pieces.map(store));
      i = Math.max(-1, Math.min(i, n) - 1);
    }
  };

  let level = await apply(root, sorted);
  // Grow: more than one node at the top gets a parent, until one root remains.
  while (level.length > 1) level = split(level.map(store), shape.innerMax).map((c) => ({ c }));
  let top: TreeNode = level[0] ?? EMPTY_ROOT;
  // Shrink: an inner root with one child hands the root over to it.
  while (!isLeaf(top) && top.c.length <= 1) {
    const only = top.c[0];
    if (!only) {
      top = EMPTY_ROOT;
      break;
    }
    const next = written.get(only[1]) ?? (await source.load(only[1]));
    if (!written.delete(only[1])) dropped.push(only[1]);
    top = next;
  }
  return { root: top, written, dropped };
}
