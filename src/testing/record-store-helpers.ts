/**
 * What the `RecordStore` suite's case files share: the records they write, reads in the wire
 * form, and page walks.
 * @module
 */
import type { Page } from "../core/registry/page.ts";
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
