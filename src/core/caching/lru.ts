/**
 * A true LRU list with TTL stamps: a `Map` for lookup plus an intrusive doubly linked list for
 * recency, so a hit moves one node (no `Map` delete + re-insert) and eviction takes the tail.
 * @module
 */

/** One cached value with its creation time and list links. */
export interface LruNode<T> {
  readonly key: string;
  readonly value: T;
  /** When it was cached (ms, the manager's clock). */
  readonly cachedAt: number;
  /** The registry version the value was built from. */
  readonly version: number;
  /** False once removed (a holder of the node, such as a label route, checks it). */
  live: boolean;
  prev: LruNode<T> | null;
  next: LruNode<T> | null;
}

/** The LRU list. It never destroys anything itself: callers own what they remove. */
export class LruList<T> {
  readonly #map = new Map<string, LruNode<T>>();
  #head: LruNode<T> | null = null; // most recently used
  #tail: LruNode<T> | null = null; // least recently used

  get size(): number {
    return this.#map.size;
  }

  get(key: string): LruNode<T> | undefined {
    return this.#map.get(key);
  }

  /** Marks a node most recently used. */
  touch(node: LruNode<T>): void {
    if (node === this.#head) return;
    this.#unlink(node);
    this.#pushFront(node);
  }

  /** Adds a node at the front; the caller removed any previous node of that key first. */
  insert(key: string, value: T, cachedAt: number, version: number): LruNode<T> {
    const node: LruNode<T> = { key, value, cachedAt, version, live: true, prev: null, next: null };
    this.#map.set(key, node);
    this.#pushFront(node);
    return node;
  }

  /** Removes a node; false when it was already gone (so removal, and destruction, happen once). */
  remove(node: LruNode<T>): boolean {
    if (this.#map.get(node.key) !== node) return false;
    node.live = false;
    this.#map.delete(node.key);
    this.#unlink(node);
    return true;
  }

  /** The least recently used node. */
  get last(): LruNode<T> | null {
    return this.#tail;
  }

  /** Every node, most recent first. */
  *nodes(): IterableIterator<LruNode<T>> {
    for (let n = this.#head; n; n = n.next) yield n;
  }

  #unlink(node: LruNode<T>): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = null;
  }

  #pushFront(node: LruNode<T>): void {
    node.next = this.#head;
    node.prev = null;
    if (this.#head) this.#head.prev = node;
    this.#head = node;
    if (!this.#tail) this.#tail = node;
  }
}
