/**
 * The registry half of {@link BrowserSync}: `GET /bots` by revision (`If-None-Match` on the
 * revision last synced: a 304 costs no listing), then only the records whose ETag changed are
 * written to the local {@link RecordStore}, and the ones gone from the server removed.
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import type { SyncHttp } from "./browser-sync-http.ts";

/** What one registry pass changed. */
export interface RegistrySyncResult {
  /** The server's revision now held locally (`null`: it moved during the listing; next pass lists again). */
  revision: string | null;
  /** The listing's `ETag`, for the next pass's `If-None-Match` (`null` with `revision`). */
  etag: string | null;
  /** True when the server answered 304: nothing listed, nothing written. */
  unchanged: boolean;
  /** Bots written (new or changed on the server). */
  written: string[];
  /** Bots removed locally (gone from the server). */
  deleted: string[];
}

interface ListPage {
  items: RegistrationDict[];
  revision: string;
  cursor?: string;
}

// Pages the server lists at once (its most).
const PAGE = 1000;

async function localIds(store: RecordStore): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    for (const record of page.items) ids.add(record.bot_id);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return ids;
}

/** Writes the server's `record` over the local one (a bot deleted and made again restarts its history). */
async function write(
  store: RecordStore,
  record: RegistrationDict,
  local: StoredRegistration | null,
) {
  const expectedVersion = local ? local.version : null;
  if (local === null || record.version > local.version) {
    try {
      if (await store.put(record, { expectedVersion })) return;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  // The server's version is not above the local one (recreated there), or a racing local write.
  await store.delete(record.bot_id);
  await store.put(record, { expectedVersion: null });
}

/**
 * One pass: the server's registry into `store`, unless it is still at `since` (the last pass's
 * revision and listing `ETag`).
 * @example
 * const result = await syncRegistry(http, store, { revision, etag }, signal);
 */
export async function syncRegistry(
  http: SyncHttp,
  store: RecordStore,
  since: { revision: string; etag: string } | null,
  signal: AbortSignal | undefined,
): Promise<RegistrySyncResult> {
  const first = await http.get(
    `bots?limit=${PAGE}`,
    since === null ? {} : { "if-none-match": since.etag },
    signal,
    [200, 304],
  );
  if (first.status === 304 && since !== null)
    return { ...since, unchanged: true, written: [], deleted: [] };
  const etag = first.headers.get("etag");
  let page = (await first.json()) as ListPage;
  const revision = page.revision;
  let moved = false;
  const remote = new Set<string>();
  const written: string[] = [];
  for (;;) {
    for (const record of page.items) {
      remote.add(record.bot_id);
      const local = await store.get(record.bot_id);
      if (local?.etag === record.etag && local.version === record.version) continue;
      await write(store, record, local);
      written.push(record.bot_id);
    }
    if (page.cursor === undefined) break;
    page = await http.json<ListPage>(
      `bots?limit=${PAGE}&cursor=${encodeURIComponent(page.cursor)}`,
      signal,
    );
    if (page.revision !== revision) moved = true;
  }
  const deleted: string[] = [];
  for (const id of await localIds(store)) {
    if (remote.has(id)) continue;
    if (await store.delete(id)) deleted.push(id);
  }
  const settled = !moved && etag !== null;
  return {
    revision: settled ? revision : null,
    etag: settled ? etag : null,
    unchanged: false,
    written,
    deleted,
  };
}
