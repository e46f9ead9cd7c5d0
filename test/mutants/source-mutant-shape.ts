/**
 * The shape of the adapters' source mutants (`source-mutants.ts` lists them): one text patch
 * or more of an adapter's file, the adapter it belongs to, and the conformance cases that must
 * catch it; and the helpers the lists share.
 */

/** One text replacement in one file (`find` must occur there exactly once). */
export interface Patch {
  /** From the repository root. */
  file: string;
  find: string;
  replace: string;
}

/** The adapters of the kit, as `npm run mutants` groups them. */
export type MutantAdapter =
  | "D1"
  | "SQLite record store"
  | "KV"
  | "R2"
  | "file record store"
  | "file blob store"
  | "file event bus"
  | "persisted search index"
  | "Durable Object hub"
  | "Durable Object event bus"
  | "memory blob store"
  | "memory event bus"
  | "SSE event bus"
  | "IndexedDB record store"
  | "IndexedDB blob store"
  | "BroadcastChannel event bus"
  | "blob record store"
  | "S3"
  | "PostgreSQL event bus"
  | "Redis event bus"
  | "registry poller"
  | "SQLite search index";

/** One mutant. */
export interface SourceMutant {
  /** Stable id, `<adapter>.<mistake>`; tests import it as `mutant:<id>`. */
  id: string;
  adapter: MutantAdapter;
  /** The mistake, in a sentence. */
  bug: string;
  /** The module a test imports (patched, with imports of the other patched files pointed at theirs). */
  entry: string;
  patches: Patch[];
  /**
   * Files between `entry` and a patched file that import it (unchanged themselves): loaded through
   * the mutant so that their imports reach the patched file.
   */
  through?: string[];
  /** Conformance case ids (the part of a case name before " - ") that must fail. */
  caughtBy: string[];
}

/**
 * One patch of `file`, as the single change of a mutant.
 * @example
 * ({ id: "x.y", ...one(FILE, "a < b", "a <= b") });
 */
export const one = (
  file: string,
  find: string,
  replace: string,
): Pick<SourceMutant, "entry" | "patches"> => ({
  entry: file,
  patches: [{ file, find, replace }],
});

/**
 * Code of a cache of list results per instance, dropped only on this instance's own writes (the
 * `*.list-cached` mutants put it into an adapter's file).
 */
export const LIST_CACHE: string = `
const listCache = new WeakMap<object, Map<string, unknown>>();
async function cached<T>(of: object, key: string, load: () => Promise<T>): Promise<T> {
  const pages = listCache.get(of) ?? new Map<string, unknown>();
  listCache.set(of, pages);
  if (!pages.has(key)) pages.set(key, await load());
  return pages.get(key) as T;
}
`;
