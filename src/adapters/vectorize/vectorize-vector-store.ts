/**
 * {@link VectorizeVectorStore}: the `VectorStore` port over a Cloudflare Vectorize index binding.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type {
  VectorHit,
  VectorQueryOptions,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from "../../core/knowledge/index/vector-store.ts";
import { VECTORIZE_LIMITS, type VectorizeLike, type VectorizeVectorLike } from "./types.ts";
import { toVectorizeFilter, toVectorizeMetadata } from "./vectorize-filter.ts";

/** Options of {@link VectorizeVectorStore}. */
export interface VectorizeVectorStoreOptions {
  /** The index binding (`env.VECTORS`), created with `--metric=cosine`. */
  index: VectorizeLike;
  /** The index's dimensions; default: asked of `index.describe()` on first use. */
  dimensions?: number;
  /**
   * How late (ms) a completed write may show in `query` and `count`. Vectorize applies
   * mutations asynchronously and documents no bound; the default, 10 s, is a working guess.
   */
  visibilityLagMs?: number;
  /** How often (ms) {@link VectorizeVectorStore.settled} asks `describe()` (default 250). */
  settlePollMs?: number;
}

/** Metadata field keeping the original id of a vector whose id had to be hashed. */
export const ORIGINAL_ID_FIELD = "_botknobs_id";
/** The prefix of hashed ids (a caller's id starting with it is hashed too, so none collide). */
const HASHED = "#";
const ADAPTER = "vectorize";

const encoder = new TextEncoder();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `#` + base64url(SHA-256(id)): 44 bytes, within Vectorize's 64-byte ids. */
async function hashId(id: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(id)));
  const b64 = btoa(String.fromCharCode(...digest));
  return HASHED + b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function checkId(id: unknown): asserts id is string {
  if (typeof id !== "string" || id === "")
    throw new ValidationError("Invalid vector id: expected a non-empty string", [
      { path: ["id"], message: "empty or not a string" },
    ]);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Vectors in a Cloudflare Vectorize index (the binding is passed in). Ids longer than 64 bytes
 * are stored under a hash with the original in metadata; upserts and deletes go in batches of
 * 1,000; a query asks for ids and scores only, so `k` may reach 100. Filters (equality, `$in`)
 * run inside Vectorize and need a metadata index on each filtered field
 * (`wrangler vectorize create-metadata-index`). Writes show after a delay
 * (`capabilities.visibilityLagMs`); `settled()` waits for this store's last one.
 * @example
 * const store = new VectorizeVectorStore({ index: env.VECTORS });
 * await store.upsert([{ id: "faq.md#0", vector, metadata: { domain_id: "support" } }]);
 * const hits = await store.query(queryVector, { k: 5, filter: { domain_id: "support" } });
 */
export class VectorizeVectorStore implements VectorStore {
  readonly name: string = "vectorize";
  readonly capabilities: VectorStoreCapabilities;
  readonly #index: VectorizeLike;
  readonly #pollMs: number;
  #dimensions: number | null;
  /** This store's last write: its mutation id (V2 bindings) and when it was acknowledged. */
  #lastWrite: { mutationId: string | null; at: number } | null = null;

  constructor(options: VectorizeVectorStoreOptions) {
    if (!options?.index || typeof options.index.query !== "function")
      throw new ValidationError("VectorizeVectorStore needs a Vectorize index binding as `index`");
    const d = options.dimensions;
    if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > VECTORIZE_LIMITS.dimensions))
      throw new ValidationError(
        `Invalid dimensions ${d}: Vectorize takes 1–${VECTORIZE_LIMITS.dimensions}`,
      );
    const lag = options.visibilityLagMs ?? 10_000;
    if (!Number.isFinite(lag) || lag < 0)
      throw new ValidationError(`Invalid visibilityLagMs ${lag}: expected a number ≥ 0`);
    this.#index = options.index;
    this.#dimensions = d ?? null;
    this.#pollMs = options.settlePollMs ?? 250;
    // maxK: topK with ids and scores only, which is all a query asks for.
    this.capabilities = {
      filters: ["eq", "in"],
      visibilityLagMs: lag,
      maxK: VECTORIZE_LIMITS.topK,
      persistent: true,
    };
  }

  /**
   * Learns the index's dimensions from `describe()` unless given (so a bad binding fails here);
   * later calls ask nothing more.
   */
  async initialize(): Promise<void> {
    await this.#knownDimensions();
  }

  /** Nothing to release (the binding is the runtime's); the vectors stay in the index. */
  async close(): Promise<void> {}

  /** The index's vector length; `null` until known (the option, `describe()` or the first upsert). */
  get dimensions(): number | null {
    return this.#dimensions;
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new AdapterError(ADAPTER, `${what} failed: ${(error as Error)?.message ?? error}`, {
        cause: error,
      });
    }
  }

  /** The index's dimensions (from `describe()` once), or null when it does not say. */
  async #knownDimensions(): Promise<number | null> {
    if (this.#dimensions !== null) return this.#dimensions;
    const info = await this.#call("describe", () => this.#index.describe());
    const d =
      info.dimensions ??
      (info.config && "dimensions" in info.config ? info.config.dimensions : undefined);
    if (typeof d === "number") this.#dimensions = d;
    return this.#dimensions;
  }

  #checkVector(vector: Float32Array, d: number | null, what: string): void {
    if (d !== null && vector.length !== d)
      throw new ValidationError(`${what} has ${vector.length} dimensions, expected ${d}`);
    if (vector.length > VECTORIZE_LIMITS.dimensions)
      throw new ValidationError(
        `${what} has ${vector.length} dimensions; Vectorize takes at most ${VECTORIZE_LIMITS.dimensions}`,
      );
    if (!vector.every(Number.isFinite))
      throw new ValidationError(`${what} holds a value that is not a finite number`);
  }

  /** The id Vectorize stores: the id itself when it fits in 64 bytes, else its hash. */
  async #vectorizeId(id: string): Promise<string> {
    const fits = encoder.encode(id).byteLength <= VECTORIZE_LIMITS.idBytes;
    return fits && !id.startsWith(HASHED) ? id : hashId(id);
  }

  /** Validates every record first (nothing is written on bad input), then upserts in batches. */
  async upsert(records: VectorRecord[]): Promise<void> {
    if (!Array.isArray(records)) throw new ValidationError("upsert takes an array of records");
    if (records.length === 0) return;
    let d = await this.#knownDimensions();
    const byId = new Map<string, VectorizeVectorLike>(); // the last record of an id wins
    for (const { id, vector, metadata } of records) {
      checkId(id);
      if (!(vector instanceof Float32Array))
        throw new ValidationError(`Vector for '${id}' must be a Float32Array`);
      d ??= vector.length;
      this.#checkVector(vector, d, `Vector for '${id}'`);
      const vid = await this.#vectorizeId(id);
      const meta = toVectorizeMetadata(
        id,
        metadata,
        ORIGINAL_ID_FIELD,
        vid === id ? {} : { [ORIGINAL_ID_FIELD]: id },
      );
      byId.delete(vid);
      byId.set(
        vid,
        meta ? { id: vid, values: vector, metadata: meta } : { id: vid, values: vector },
      );
    }
    const batches = chunks([...byId.values()], VECTORIZE_LIMITS.upsertBatch);
    for (const [i, batch] of batches.entries())
      await this.#call(
        `upsert of batch ${i + 1}/${batches.length} (${batch.length} vectors; earlier batches were written, an upsert is idempotent: retry it)`,
        () => this.#index.upsert(batch).then((r) => this.#wrote(r)),
      );
    this.#dimensions ??= d;
  }

  /** Deletes by id (hashed like upserts), in batches of 1,000; missing ids are ignored. */
  async delete(ids: string[]): Promise<void> {
    if (!Array.isArray(ids)) throw new ValidationError("delete takes an array of ids");
    const vids = new Set<string>();
    for (const id of ids) {
      checkId(id);
      vids.add(await this.#vectorizeId(id));
    }
    const batches = chunks([...vids], VECTORIZE_LIMITS.deleteBatch);
    for (const [i, batch] of batches.entries())
      await this.#call(
        `deleteByIds of batch ${i + 1}/${batches.length} (${batch.length} ids)`,
        () => this.#index.deleteByIds(batch).then((r) => this.#wrote(r)),
      );
  }

  /**
   * The `k` (≤ 100) most similar vectors, best first. Hashed ids are mapped back to the
   * caller's ids through `getByIds` (their metadata keeps the original).
   */
  async query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]> {
    const k = options?.k;
    if (!Number.isInteger(k) || k < 0)
      throw new ValidationError(`Invalid k ${k}: expected a non-negative integer`);
    if (k > VECTORIZE_LIMITS.topK)
      throw new ValidationError(
        `Invalid k ${k}: Vectorize returns at most ${VECTORIZE_LIMITS.topK} results a query`,
      );
    const filter = options.filter === undefined ? undefined : toVectorizeFilter(options.filter);
    this.#checkVector(vector, await this.#knownDimensions(), "Query vector");
    if (k === 0) return [];
    const { matches } = await this.#call(`query (topK ${k})`, () =>
      this.#index.query(vector, {
        topK: k,
        returnValues: false,
        returnMetadata: "none",
        ...(filter ? { filter } : {}),
      }),
    );
    const hashed = matches.filter((m) => m.id.startsWith(HASHED)).map((m) => m.id);
    const original = new Map<string, string>();
    for (const batch of chunks(hashed, VECTORIZE_LIMITS.getBatch)) {
      const found = await this.#call(`getByIds (${batch.length} ids)`, () =>
        this.#index.getByIds(batch),
      );
      for (const v of found) {
        const id = v.metadata?.[ORIGINAL_ID_FIELD];
        if (typeof id === "string") original.set(v.id, id);
      }
    }
    const hits: VectorHit[] = [];
    for (const m of matches) {
      // A hashed match deleted between the query and getByIds has no original id left: skip it.
      const id = m.id.startsWith(HASHED) ? original.get(m.id) : m.id;
      if (id !== undefined) hits.push({ id, score: m.score });
    }
    return hits.sort((a, b) => b.score - a.score);
  }

  #wrote(result: unknown): void {
    const id = (result as { mutationId?: unknown } | null)?.mutationId;
    this.#lastWrite = { mutationId: typeof id === "string" ? id : null, at: Date.now() };
  }

  /**
   * Waits until this store's writes show in `query` and `count`: until `describe()` reports
   * the last one's mutation processed (a V2 binding answers each write with a `mutationId`;
   * mutations apply in order), and never longer than `visibilityLagMs` after it (the declared
   * bound; a V1 binding names no mutation, so that wait is whole). Writes of other isolates are
   * not waited for.
   * @example
   * await store.upsert(records);
   * await store.settled(); // the records are now found by query()
   */
  async settled(): Promise<void> {
    const last = this.#lastWrite;
    if (!last) return;
    const until = last.at + (this.capabilities.visibilityLagMs ?? 0);
    while (Date.now() < until) {
      if (last.mutationId !== null) {
        const info = await this.#call("describe", () => this.#index.describe());
        if (info.processedUpToMutation === last.mutationId) break;
      }
      await sleep(Math.max(1, Math.min(this.#pollMs, until - Date.now())));
    }
    if (this.#lastWrite === last) this.#lastWrite = null;
  }

  /** The whole index's vector count, as `describe()` reports it (it lags writes too). */
  async count(): Promise<number> {
    const info = await this.#call("describe", () => this.#index.describe());
    const n = info.vectorCount ?? info.vectorsCount;
    if (typeof n !== "number")
      throw new AdapterError(ADAPTER, "describe() answered no vector count");
    return n;
  }
}
