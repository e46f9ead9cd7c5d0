/**
 * {@link MemoryVectorStore}: the `VectorStore` port in memory (brute force over one
 * `Float32Array`, cosine).
 * @module
 */
import { ValidationError } from "../../errors.ts";
import { TopK } from "./bm25/top-k.ts";
import { type FilterValue, matchesFilter, validateFilter } from "./filter.ts";
import type {
  VectorHit,
  VectorQueryOptions,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from "./vector-store.ts";

/** The stored form of a {@link MemoryVectorStore}. */
export interface MemoryVectorStoreJson {
  format: "botknobs.vectors";
  version: 1;
  dimensions: number;
  ids: string[];
  /** Base64 of the little-endian float32 vectors, unit-normalised, row by row. */
  vectors: string;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Vectors in memory, unit-normalised on the way in so a query is one dot product per row.
 * Rows freed by deletes are reused.
 * @example
 * const store = new MemoryVectorStore({ dimensions: 384 });
 * await store.upsert([{ id: "a", vector }]);
 * await store.query(queryVector, { k: 5 });
 */
export class MemoryVectorStore implements VectorStore {
  readonly name: string = "memory";
  readonly capabilities: VectorStoreCapabilities = { filters: ["eq", "in"], persistent: false };
  #dimensions: number | null;
  #data = new Float32Array(0);
  #ids: (string | null)[] = [];
  readonly #rowOf = new Map<string, number>();
  readonly #free: number[] = [];
  readonly #metadata = new Map<string, Readonly<Record<string, FilterValue>>>();

  constructor(options: { dimensions?: number | null } = {}) {
    this.#dimensions = options.dimensions ?? null;
  }

  get dimensions(): number | null {
    return this.#dimensions;
  }

  /** Nothing to prepare. */
  async initialize(): Promise<void> {}

  /** Nothing to release: the vectors stay until the object is dropped. */
  async close(): Promise<void> {}

  /** How many records are stored (synchronous). */
  get size(): number {
    return this.#rowOf.size;
  }

  async count(): Promise<number> {
    return this.#rowOf.size;
  }

  #row(id: string): number {
    const existing = this.#rowOf.get(id);
    if (existing !== undefined) return existing;
    const row = this.#free.pop() ?? this.#ids.length;
    const d = this.#dimensions as number;
    if ((row + 1) * d > this.#data.length) {
      const grown = new Float32Array(Math.max((row + 1) * d, this.#data.length * 2, d * 64));
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#ids[row] = id;
    this.#rowOf.set(id, row);
    return row;
  }

  /** Synchronous upsert (the knowledge base uses it inside one atomic step). */
  upsertSync(records: VectorRecord[]): void {
    for (const { id, vector, metadata } of records) {
      this.#dimensions ??= vector.length;
      const d = this.#dimensions;
      if (vector.length !== d)
        throw new ValidationError(
          `Vector for '${id}' has ${vector.length} dimensions, expected ${d}`,
        );
      let norm = 0;
      for (let i = 0; i < d; i++) norm += (vector[i] as number) ** 2;
      norm = Math.sqrt(norm) || 1;
      const offset = this.#row(id) * d;
      for (let i = 0; i < d; i++) this.#data[offset + i] = (vector[i] as number) / norm;
      if (metadata) this.#metadata.set(id, metadata);
      else this.#metadata.delete(id);
    }
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    this.upsertSync(records);
  }

  async delete(ids: string[]): Promise<void> {
    for (const id of ids) {
      const row = this.#rowOf.get(id);
      if (row === undefined) continue;
      this.#rowOf.delete(id);
      this.#metadata.delete(id);
      this.#ids[row] = null;
      this.#free.push(row);
    }
  }

  /** Cosine similarity of the best `k` rows whose metadata passes the filter. */
  async query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]> {
    if (!Number.isInteger(options.k) || options.k < 0)
      throw new ValidationError(`Invalid k ${options.k}: expected a non-negative integer`);
    const filter = options.filter === undefined ? undefined : validateFilter(options.filter);
    const meta = this.#metadata;
    return this.queryWhere(
      vector,
      options.k,
      filter && ((id) => matchesFilter(meta.get(id) ?? {}, filter)),
    );
  }

  /**
   * The best `k` rows for which `keep` holds (synchronous inside; the promise is already
   * settled). For code that owns the store and filters on its own state.
   */
  queryWhere(
    vector: Float32Array,
    k: number,
    keep: ((id: string) => boolean) | undefined,
  ): Promise<VectorHit[]> {
    return Promise.resolve(this.#query(vector, k, keep));
  }

  #query(
    vector: Float32Array,
    k: number,
    keep: ((id: string) => boolean) | undefined,
  ): VectorHit[] {
    const d = this.#dimensions;
    if (d === null || this.#rowOf.size === 0) return [];
    if (vector.length !== d)
      throw new ValidationError(`Query vector has ${vector.length} dimensions, expected ${d}`);
    let norm = 0;
    for (let i = 0; i < d; i++) norm += (vector[i] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    const top = new TopK();
    top.reset(Math.max(0, k), this.#ids as string[]);
    const data = this.#data;
    for (let row = 0; row < this.#ids.length; row++) {
      const id = this.#ids[row];
      if (id === null || id === undefined || (keep && !keep(id))) continue;
      let dot = 0;
      const offset = row * d;
      for (let i = 0; i < d; i++) dot += (data[offset + i] as number) * (vector[i] as number);
      if (top.accepts(dot, row)) top.push(dot, row);
    }
    return top
      .take()
      .map(({ unit, score }) => ({ id: this.#ids[unit] as string, score: score / norm }));
  }

  /** The stored (unit-normalised) vector of `id`, as a copy; undefined when absent. */
  vectorOf(id: string): Float32Array | undefined {
    const row = this.#rowOf.get(id);
    const d = this.#dimensions;
    if (row === undefined || d === null) return undefined;
    return this.#data.slice(row * d, row * d + d);
  }

  toJSON(): MemoryVectorStoreJson {
    const d = this.#dimensions ?? 0;
    const ids = [...this.#rowOf.keys()];
    const packed = new Float32Array(ids.length * d);
    ids.forEach((id, i) => {
      const row = this.#rowOf.get(id) as number;
      packed.set(this.#data.subarray(row * d, row * d + d), i * d);
    });
    return {
      format: "botknobs.vectors",
      version: 1,
      dimensions: d,
      ids,
      vectors: toBase64(new Uint8Array(packed.buffer)),
    };
  }

  static fromJSON(data: MemoryVectorStoreJson): MemoryVectorStore {
    if (data?.format !== "botknobs.vectors" || data.version !== 1)
      throw new ValidationError("Not a botknobs vector store (format/version)");
    const store = new MemoryVectorStore({ dimensions: data.dimensions || null });
    const bytes = fromBase64(data.vectors);
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const d = data.dimensions;
    if (floats.length !== data.ids.length * d)
      throw new ValidationError("Vector store data does not match its ids and dimensions");
    store.upsertSync(data.ids.map((id, i) => ({ id, vector: floats.subarray(i * d, i * d + d) })));
    return store;
  }
}
