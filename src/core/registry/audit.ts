/**
 * The audit trail and version diffs of any {@link RegistryBackend}, from what every backend
 * has: `listPage`, `history` and `getVersion`. Nothing is stored for them: each version already
 * keeps its time (`updated_at`) and write context (actor, reason), and what it changed is the
 * diff from the version before. Loaded on first use (`RegistryBackendBase.audit` and `diff`).
 *
 * Cost: a page of `audit({ since })` lists the bots and reads the history, since `since`, of the
 * bots written since then. A client that follows the trail passes the time of the last entry it
 * saw as `since` (or the `cursor`), so each call reads only what is new. A hard-deleted bot's
 * entries go with its history (its `deleted` event still names the actor).
 * @module
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import { type JsonPatchOperation, jsonDiff } from "../util/json-patch.ts";
import type { JsonObject } from "../validate.ts";
import { validateBotId } from "../validate.ts";
import { AuditAction, type AuditEntry } from "./audit-entry.ts";
import { LATEST_LABEL, type LabelView, labelViews } from "./labels.ts";
import { type Page, pageLimit } from "./page.ts";
import type { Registration } from "./registration.ts";
import type { AuditOptions, RegistryBackend } from "./types.ts";

/** The page size of `audit` when `limit` is not given. */
export const DEFAULT_AUDIT_LIMIT = 100;

/** A version's labels as read, `latest` left out. */
function labelsOf(reg: Registration): Record<string, LabelView> {
  const views = labelViews(reg, reg.version);
  delete views[LATEST_LABEL];
  return views;
}

/**
 * What a diff compares: a version's `{ config, status, metadata, labels }`.
 * @example
 * versionDocument(await backend.getVersion("bot", 3));
 */
export function versionDocument(reg: Registration): JsonObject {
  return {
    config: reg.config,
    status: reg.status,
    metadata: reg.metadata,
    labels: labelsOf(reg) as unknown as JsonObject,
  };
}

/**
 * The RFC 6902 patch from version `from` to version `to` of a bot. `NotFoundError` naming the
 * bot when it is missing (deleted), or the version when it is not kept.
 * @example
 * await diffVersions(backend, "support-bot", 2, 3); // [{ op: "replace", path: "/config/t", value: 0.7 }]
 */
export async function diffVersions(
  backend: RegistryBackend,
  botId: string,
  from: number,
  to: number,
): Promise<JsonPatchOperation[]> {
  const [a, b] = await Promise.all([
    backend.getVersion(botId, from),
    backend.getVersion(botId, to),
  ]);
  if (!a || !b) {
    if (!(await backend.peek(botId))) throw new NotFoundError(`Bot '${botId}' not found`);
    throw new NotFoundError(
      `Version ${a ? to : from} of bot '${botId}' not found (never written, or removed by retention)`,
    );
  }
  return jsonDiff(versionDocument(a), versionDocument(b));
}

/** What a write did, from the paths it changed and the statuses before and after. */
function actionOf(reg: Registration, before: Registration | undefined, changed: string[] | null) {
  if (before === undefined) return reg.version === 1 ? AuditAction.CREATED : AuditAction.UPDATED;
  if (before.status !== reg.status) {
    if (reg.status === "active") return AuditAction.ACTIVATED;
    if (before.status === "active") return AuditAction.DEACTIVATED;
  }
  if (changed && changed.length > 0 && changed.every((p) => p.startsWith("/labels/")))
    return AuditAction.LABELS;
  return AuditAction.UPDATED;
}

/**
 * The audit entry of `reg`, given the version before it (`undefined` when there is none kept).
 * @example
 * auditEntry(v3, v2).changed; // ["/config/llm/temperature"]
 */
export function auditEntry(reg: Registration, before: Registration | undefined): AuditEntry {
  const changed =
    before === undefined
      ? reg.version === 1
        ? jsonDiff({}, versionDocument(reg)).map((op) => op.path)
        : null
      : jsonDiff(versionDocument(before), versionDocument(reg)).map((op) => op.path);
  return {
    botId: reg.botId,
    version: reg.version,
    at: reg.updatedAt,
    actor: reg.writeContext?.actor ?? null,
    reason: reg.writeContext?.reason ?? null,
    action: actionOf(reg, before, changed),
    changed,
    labels: labelsOf(reg),
  };
}

/** Where a page stops: an entry's time, version and bot (the cursor's content). */
interface Position {
  at: number;
  botId: string;
  version: number;
}

function compare(a: Position, b: Position): number {
  return (
    a.at - b.at || (a.botId < b.botId ? -1 : a.botId > b.botId ? 1 : 0) || a.version - b.version
  );
}

const position = (reg: Registration): Position => ({
  at: reg.updatedAt.getTime(),
  botId: reg.botId,
  version: reg.version,
});

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${field}: ${message}`, [{ path: [field], message }]);
}

function parseCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const m = /^(\d{1,15}):(\d{1,15}):(.+)$/.exec(cursor);
  if (!m) throw invalid("cursor", `${JSON.stringify(cursor.slice(0, 80))} is not an audit cursor`);
  return { at: Number(m[1]), version: Number(m[2]), botId: validateBotId(m[3], "cursor") };
}

function parseSince(since: Date | string | undefined): number {
  if (since === undefined) return Number.NEGATIVE_INFINITY;
  const at = since instanceof Date ? since.getTime() : Date.parse(since);
  if (Number.isNaN(at))
    throw invalid("since", `${JSON.stringify(String(since))} is not an ISO-8601 time`);
  return at;
}

/** The bots to read: one, or every page of the listing. */
async function* heads(backend: RegistryBackend, botId: string | undefined) {
  if (botId !== undefined) {
    const head = await backend.peek(validateBotId(botId));
    if (head) yield head;
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await backend.listPage(cursor === undefined ? {} : { cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/**
 * A bot's versions after `from` (exclusive, by time, bot and version) and not before `since`,
 * newest first, followed by the version before the oldest of them when it is kept.
 */
async function versionsAfter(
  backend: RegistryBackend,
  botId: string,
  since: number,
  from: Position | undefined,
): Promise<Registration[]> {
  const out: Registration[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.history(botId, cursor === undefined ? { limit: 100 } : { cursor });
    for (const reg of page.items) {
      out.push(reg);
      const p = position(reg);
      // History is newest first: once a version is out of range, the ones before it are too.
      if (p.at < since || (from && compare(p, from) <= 0)) return out;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

/**
 * A page of the audit trail across bots (or of one, `botId`), oldest first: entries at or after
 * `since`, after `cursor`; `limit` 1–1,000 (default 100).
 * @example
 * const { items, cursor } = await auditPage(backend, { since: "2026-01-01T00:00:00Z", limit: 50 });
 */
export async function auditPage(
  backend: RegistryBackend,
  options: AuditOptions = {},
): Promise<Page<AuditEntry>> {
  const limit = pageLimit(options.limit ?? DEFAULT_AUDIT_LIMIT);
  const since = parseSince(options.since);
  const from = parseCursor(options.cursor);
  const found: { p: Position; reg: Registration; before: Registration | undefined }[] = [];
  for await (const head of heads(backend, options.botId)) {
    const p = position(head);
    if (p.at < since || (from && compare(p, from) <= 0)) continue;
    const versions = await versionsAfter(backend, head.botId, since, from);
    for (let i = 0; i < versions.length; i++) {
      const reg = versions[i] as Registration;
      const q = position(reg);
      if (q.at < since || (from && compare(q, from) <= 0)) continue;
      const next = versions[i + 1];
      found.push({ p: q, reg, before: next?.version === reg.version - 1 ? next : undefined });
    }
  }
  found.sort((a, b) => compare(a.p, b.p));
  const items = found.slice(0, limit).map(({ reg, before }) => auditEntry(reg, before));
  const last = found[limit - 1];
  return found.length > limit && last
    ? { items, cursor: `${last.p.at}:${last.p.version}:${last.p.botId}` }
    : { items };
}
