/**
 * One page of a listing from sorted keys: the delimiter roll-up and cursor rules every
 * {@link BlobStore} that lists by itself (memory, file system) shares, and {@link listAll}, a walk
 * of every page.
 * @module
 */
import type { BlobListOptions, BlobMeta, BlobStore } from "./types.ts";

/** The keys of objects on the page, the rolled-up prefixes, and the cursor of the next page. */
export interface KeyPage {
  keys: string[];
  prefixes: string[];
  cursor?: string;
}

/**
 * Pages through `keys` (all keys of the store, any order). Keys below a delimiter roll up into
 * one prefix, which counts once towards `limit`; `cursor` is the last key the page consumed.
 */
export function pageKeys(keys: Iterable<string>, options: BlobListOptions = {}): KeyPage {
  const { prefix = "", delimiter, cursor, limit = 1000 } = options;
  const sorted = [...keys]
    .filter((k) => k.startsWith(prefix) && (cursor === undefined || k > cursor))
    .sort();
  const page: string[] = [];
  const prefixes = new Set<string>();
  let last = "";
  for (const key of sorted) {
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const rolled = delimiter && cut >= 0 ? prefix + rest.slice(0, cut + delimiter.length) : null;
    if (rolled !== null && prefixes.has(rolled)) {
      last = key;
      continue;
    }
    if (page.length + prefixes.size >= Math.max(1, limit))
      return { keys: page, prefixes: [...prefixes], cursor: last };
    last = key;
    if (rolled !== null) prefixes.add(rolled);
    else page.push(key);
  }
  return { keys: page, prefixes: [...prefixes] };
}

/**
 * Every object under `prefix`, following the store's cursors (sorted by key).
 * @example
 * const keys = (await listAll(store, "registry/h/bot-1/")).map((o) => o.key);
 */
export async function listAll(store: BlobStore, prefix: string): Promise<BlobMeta[]> {
  const all: BlobMeta[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
    all.push(...page.objects);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}

/**
 * A key prefix read as a folder: `""` stays `""` (the store's root); any other ends in exactly
 * one `/` (`"kb"`, `"kb/"` and `"kb//"` all give `"kb/"`).
 * @example
 * folderPrefix(options.prefix ?? "registry/");
 */
export function folderPrefix(prefix: string): string {
  return prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`;
}
