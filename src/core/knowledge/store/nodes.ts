/**
 * Reading the file list's nodes from a blob store, with a bounded cache: nodes never change once
 * written, so a cached node is valid for as long as it is kept.
 * @module
 */
import type { BlobStore } from "../../blob/types.ts";
import { AdapterError } from "../../errors.ts";
import { readAll } from "../../util/streams.ts";
import { isLeaf, type NodeSource, type TreeNode } from "./manifest-tree.ts";

/** An object a head pointed to is gone: a newer head replaced it meanwhile (read again). */
export class StaleReadError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`object ${key} is gone`);
    this.key = key;
  }
}

/** A fresh id for an immutable object: 80 random bits, 20 hex digits. */
export function newId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 20);
}

/** A bounded map that forgets the least recently used entry first. */
export class BoundedCache<T> {
  readonly #map = new Map<string, T>();
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  get(key: string): T | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }
}

function checkNode(domainId: string, key: string, node: TreeNode): TreeNode {
  const rows = isLeaf(node) ? node.e : (node as { c?: unknown }).c;
  if (!Array.isArray(rows) || !rows.every(Array.isArray))
    throw new AdapterError("knowledge", `file-list node ${key} of '${domainId}' is damaged`);
  return node;
}

/**
 * The nodes of one domain generation, under `base` (`<domain>/.botknobs/<generation>/nodes/`).
 * @example
 * const source = nodeSource(store, "support", "support/.botknobs/3f2a/nodes/", cache);
 */
export function nodeSource(
  store: BlobStore,
  domainId: string,
  base: string,
  cache: BoundedCache<TreeNode>,
): NodeSource {
  return {
    newKey: newId,
    keyOf: (id) => `${base}${id}.json`,
    async load(id: string): Promise<TreeNode> {
      const key = `${base}${id}.json`;
      const cached = cache.get(key);
      if (cached) return cached;
      const body = await store.get(key);
      if (!body) throw new StaleReadError(key);
      let node: TreeNode;
      try {
        node = JSON.parse(new TextDecoder().decode(await readAll(body.body))) as TreeNode;
      } catch (error) {
        throw new AdapterError("knowledge", `file-list node ${key} of '${domainId}' is not JSON`, {
          cause: error,
        });
      }
      cache.set(key, checkNode(domainId, key, node));
      return node;
    },
  };
}
