/**
 * Deliberately broken record stores, each with one bug an adapter author could write. The
 * mutant test checks that the conformance suites catch every one of them.
 */
import { MemoryRecordStore } from "../../src/core/registry/memory-record-store.ts";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
} from "../../src/core/registry/record-store.ts";
import type { RegistrationDict, StoredRegistration } from "../../src/core/registry/registration.ts";

/**
 * A blind put (KV without a condition): it writes over whatever it read last (or, when the
 * version would not grow, writes nothing) and reports success either way.
 */
export class IgnoresExpectedVersion extends MemoryRecordStore {
  override async put(record: RegistrationDict, _condition: PutCondition): Promise<boolean> {
    const current = (await this.get(record.bot_id))?.version ?? null;
    if (record.version > (current ?? 0)) await super.put(record, { expectedVersion: current });
    return true;
  }
}

/** A listing served from a cache that nothing invalidates. */
export class StaleList extends MemoryRecordStore {
  readonly #cache = new Map<string, Page<StoredRegistration>>();
  override async list(options?: PageOptions): Promise<Page<StoredRegistration>> {
    const key = JSON.stringify(options ?? {});
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const page = await super.list(options);
    this.#cache.set(key, page);
    return page;
  }
}

/** Pages whose cursor is inclusive: the last record of a page starts the next one too. */
export class OverlappingPages extends MemoryRecordStore {
  override async list(options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const page = await super.list(options);
    if (options.cursor === undefined) return page;
    const again = await this.get(options.cursor);
    return again ? { ...page, items: [again, ...page.items] } : page;
  }
}

/**
 * A touch as a store without partial updates does it when careless: read the record, await
 * something, write the whole record back — over a put that happened in between.
 */
export class TouchRevertsPut extends MemoryRecordStore {
  readonly #heads = new Map<string, StoredRegistration>();
  override async get(botId: string): Promise<StoredRegistration | null> {
    const head = this.#heads.get(botId);
    return head ? { ...head, metadata: structuredClone(head.metadata) } : super.get(botId);
  }
  override async list(options?: PageOptions): Promise<Page<StoredRegistration>> {
    const page = await super.list(options);
    return { ...page, items: page.items.map((r) => this.#heads.get(r.bot_id) ?? r) };
  }
  override async put(record: RegistrationDict, condition: PutCondition): Promise<boolean> {
    const ok = await super.put(record, condition);
    if (ok) this.#heads.delete(record.bot_id);
    return ok;
  }
  override async touch(botId: string, at: string): Promise<boolean> {
    const read = await this.get(botId);
    if (!read) return false;
    await new Promise((r) => setTimeout(r, 0));
    this.#heads.set(botId, { ...read, last_accessed_at: at });
    return true;
  }
  override async delete(botId: string): Promise<boolean> {
    this.#heads.delete(botId);
    return super.delete(botId);
  }
  override async clear(): Promise<string[]> {
    this.#heads.clear();
    return super.clear();
  }
}

/** History that lost version 2 (say, a write whose history copy failed silently). */
export class DropsHistoryVersion extends MemoryRecordStore {
  override async history(botId: string, options?: PageOptions): Promise<Page<StoredRegistration>> {
    const page = await super.history(botId, options);
    return { ...page, items: page.items.filter((r) => r.version !== 2) };
  }
  override async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    return version === 2 ? null : super.getVersion(botId, version);
  }
}

/** A revision counting puts and clears but not deletes (a poller never sees a bot vanish). */
export class RevisionStuckOnDelete extends MemoryRecordStore {
  #deletes = 0;
  override async delete(botId: string): Promise<boolean> {
    const deleted = await super.delete(botId);
    if (deleted) this.#deletes++;
    return deleted;
  }
  override async revision(): Promise<string> {
    const [epoch, n] = (await super.revision()).split("-");
    return `${epoch}-${Number(n) - this.#deletes}`;
  }
}

/** A revision that also moves on access (every cached read makes pollers list). */
export class TouchMovesRevision extends MemoryRecordStore {
  #touches = 0;
  override async touch(
    botId: string,
    at: string,
    condition: { version: number },
  ): Promise<boolean> {
    const ok = await super.touch(botId, at, condition);
    if (ok) this.#touches++;
    return ok;
  }
  override async revision(): Promise<string> {
    return `${await super.revision()}.${this.#touches}`;
  }
}

/** A store that keeps labels but loses who wrote a version (an audit column never written). */
export class DropsWriteContext extends MemoryRecordStore {
  override async put(record: RegistrationDict, condition: PutCondition): Promise<boolean> {
    const { ext, ...rest } = record;
    if (ext?.labels === undefined) return super.put(rest, condition);
    return super.put({ ...rest, ext: { labels: ext.labels } }, condition);
  }
}

/** A store that declares the status filter but lists every record (a `where` never passed on). */
export class IgnoresWhere extends MemoryRecordStore {
  override async list(options: ListOptions = {}): Promise<Page<StoredRegistration>> {
    const { where: _, ...page } = options;
    return super.list(page);
  }
}
