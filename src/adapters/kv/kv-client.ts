/**
 * {@link KvClient}: the calls {@link KVRecordStore} makes on a KV namespace — paged and whole
 * listings, bulk reads, bounded-parallel deletes and paced writes — each failure an
 * `AdapterError` naming `kv` and the call.
 * @module
 */
import { AdapterError, BotknobsError } from "../../core/errors.ts";
import { checkKvValue, type KeyPacer, KV_MAX_BULK_GET } from "./kv-limits.ts";
import type { KVListLike, KVNamespaceLike } from "./types.ts";

/** Deletes in flight at once (the binding deletes one key per call). */
const DELETE_CONCURRENCY = 50;

/** A KV namespace with the store's conventions applied. */
export class KvClient {
  readonly #kv: KVNamespaceLike;
  readonly #pacer: KeyPacer;

  constructor(kv: KVNamespaceLike, pacer: KeyPacer) {
    this.#kv = kv;
    this.#pacer = pacer;
  }

  /** One page of keys under `prefix`, with their metadata. */
  list<M>(
    prefix: string,
    options: { limit?: number; cursor?: string | undefined } = {},
  ): Promise<KVListLike<M>> {
    const { limit, cursor } = options;
    return this.call(`list '${prefix}'`, () =>
      this.#kv.list<M>({
        prefix,
        ...(limit === undefined ? {} : { limit }),
        ...(cursor ? { cursor } : {}),
      }),
    );
  }

  /** Every key under `prefix`, in key order, with its metadata. */
  async listAll<M>(prefix: string): Promise<{ name: string; metadata?: M }[]> {
    const keys: { name: string; metadata?: M }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list<M>(prefix, { cursor });
      keys.push(...page.keys);
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return keys;
  }

  /** Values of `keys` in order, read 100 at a time with KV's bulk get. */
  async getMany(keys: string[]): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    for (let i = 0; i < keys.length; i += KV_MAX_BULK_GET) {
      const batch = keys.slice(i, i + KV_MAX_BULK_GET);
      const got = await this.call(`get ${batch.length} key(s)`, () => this.#kv.get(batch, "text"));
      for (const key of batch) out.push(got.get(key) ?? null);
    }
    return out;
  }

  /** One value with its metadata. */
  getWithMetadata<M>(key: string): Promise<{ value: string | null; metadata: M | null }> {
    return this.call(`get '${key}'`, () => this.#kv.getWithMetadata<M>(key));
  }

  /** Deletes keys, a bounded number at a time. */
  async deleteAll(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY)
      await Promise.all(
        keys
          .slice(i, i + DELETE_CONCURRENCY)
          .map((key) => this.call(`delete '${key}'`, () => this.#kv.delete(key))),
      );
  }

  /** One paced write: the value is checked, then it waits for the key's turn. */
  async write(key: string, value: string, metadata?: object): Promise<void> {
    checkKvValue(key, value);
    await this.#pacer.turn(key);
    await this.call(`put '${key}'`, () =>
      this.#kv.put(key, value, metadata === undefined ? {} : { metadata }),
    );
  }

  /** Runs one call; a failure becomes an `AdapterError` naming `kv` and `what`. */
  async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof BotknobsError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("kv", `${what} failed: ${message}`, { cause: error });
    }
  }
}
