/**
 * What the `RecordStore` suite's case files share: the records they write, reads in the wire
 * form, page walks, and a store's versions and ids walked.
 * @module
 */
import type { Page } from "../core/registry/page.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import {
  configOf,
  type RegistrationDict,
  type StoredRegistration,
} from "../core/registry/registration.ts";

/**
 * A record as the suite writes it: fixed timestamps, etag `etag-<version>`, no `ext` unless given.
 * @example
 * record("a", 2, { status: "inactive" });
 */
export function record(
  botId: string,
  version: number,
  extra: Partial<RegistrationDict> = {},
): RegistrationDict {
  const at = "2026-01-01T00:00:00.000Z";
  return {
    bot_id: botId,
    config: { n: version, nested: { list: [1, "two", null] } },
    status: "active",
    version,
    etag: `etag-${version}`,
    created_at: at,
    updated_at: at,
    last_accessed_at: at,
    metadata: {},
    ...extra,
  };
}

/**
 * A read record in the wire form: a config the store returned as JSON text is parsed.
 * @example
 * expect(wire(await store.get("a"))).toEqual(record("a", 1));
 */
export function wire(r: StoredRegistration | null): RegistrationDict | null {
  return r === null ? null : { ...r, config: configOf(r) };
}

/**
 * A version's content: the wire form without `last_accessed_at` (informational in history).
 * @example
 * expect(content(await store.getVersion("a", 1))).toEqual(content(record("a", 1)));
 */
export function content(
  r: StoredRegistration | null,
): Omit<RegistrationDict, "last_accessed_at"> | null {
  if (r === null) return null;
  const { last_accessed_at: _, ...rest } = wire(r) as RegistrationDict;
  return rest;
}

/**
 * Every page of a walk, in order (following cursors until there is none).
 * @example
 * const pages = await walkPages((cursor) => store.list(cursor === undefined ? { limit: 5 } : { cursor, limit: 5 }));
 */
export async function walkPages<T = StoredRegistration>(
  list: (cursor: string | undefined) => Promise<Page<T>>,
  between?: (page: number) => Promise<void>,
): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page);
    cursor = page.cursor;
    if (pages.length > 1000) throw new Error("the walk does not end");
    if (cursor !== undefined && between) await between(pages.length);
  } while (cursor !== undefined);
  return pages;
}

/**
 * Puts versions 1..n of `botId` on `store`, each on the one before (an error when one is refused).
 * @example
 * await putVersions(store, "a", 3);
 */
export async function putVersions(store: RecordStore, botId: string, n: number): Promise<void> {
  for (let v = 1; v <= n; v++)
    if (!(await store.put(record(botId, v), { expectedVersion: v === 1 ? null : v - 1 })))
      throw new Error(`put of version ${v} of '${botId}' was refused`);
}

/**
 * The versions a walk of `botId`'s history lists (pages of 2, so a cursor is crossed).
 * @example
 * expect(await versionsOf(store, "a")).toEqual([3, 2, 1]);
 */
export async function versionsOf(store: RecordStore, botId: string): Promise<number[]> {
  const pages = await walkPages((cursor) =>
    store.history(botId, cursor === undefined ? { limit: 2 } : { cursor, limit: 2 }),
  );
  return pages.flatMap((p) => p.items.map((r) => r.version));
}

/**
 * Every id of a default-page walk (no limit given: the store's own page size).
 * @example
 * expect(await walkIds(store)).toEqual(["a", "b"]);
 */
export async function walkIds(store: RecordStore): Promise<string[]> {
  const pages = await walkPages((cursor) => store.list(cursor === undefined ? {} : { cursor }));
  return pages.flatMap((p) => p.items.map((r) => r.bot_id));
}

/**
 * Runs `fn` with a second instance over `store`'s data (`reopen`'s), initialized, and closes it
 * after.
 * @example
 * await withOther(store, options.reopen, async (other) => expect(await other.get("a")).not.toBeNull());
 */
export async function withOther(
  store: RecordStore,
  reopen: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined,
  fn: (other: RecordStore) => Promise<void>,
): Promise<void> {
  if (!reopen) throw new Error("no second instance over the same data (no reopen)");
  const other = await reopen(store);
  await other.initialize();
  try {
    await fn(other);
  } finally {
    await other.close();
  }
}
