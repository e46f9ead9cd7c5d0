/**
 * {@link AuditEntry}: one write of the audit trail (`RegistryBackend.audit`, `GET /audit`), and
 * its wire form.
 * @module
 */
import type { LabelView } from "./labels.ts";

/**
 * What a write did, as the audit trail names it (derived from the version and the one before):
 * `created` (version 1), `deactivated`/`activated` (the status left or became `active`),
 * `labels` (only labels moved), `updated` (anything else, a rollback too).
 * @example
 * if (entry.action === AuditAction.LABELS) console.log(entry.changed); // ["/labels/production/version"]
 */
export const AuditAction = {
  CREATED: "created",
  UPDATED: "updated",
  DEACTIVATED: "deactivated",
  ACTIVATED: "activated",
  LABELS: "labels",
} as const;
/** One of the {@link AuditAction} values. */
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** One write: who made it, when, why, and what changed. */
export interface AuditEntry {
  botId: string;
  /** The version the write made. */
  version: number;
  /** When (the version's `updatedAt`). */
  at: Date;
  /** Who (the write context's actor; over HTTP the token's name), or `null` when unnamed. */
  actor: string | null;
  /** Why, or `null`. */
  reason: string | null;
  action: AuditAction;
  /**
   * The JSON Pointers that changed from the version before (into `{ config, status, metadata,
   * labels }`, as `diff` gives them; values through `diff`); `null` when that version is no
   * longer kept.
   */
  changed: string[] | null;
  /** The bot's labels after the write (`latest` left out). */
  labels: Record<string, LabelView>;
}

/** The wire form of an {@link AuditEntry} (snake_case, ISO time). */
export interface AuditEntryDict {
  bot_id: string;
  version: number;
  at: string;
  actor: string | null;
  reason: string | null;
  action: AuditAction;
  changed: string[] | null;
  labels: Record<string, LabelView>;
}

/**
 * The wire form of an entry.
 * @example
 * JSON.stringify(page.items.map(auditEntryToDict));
 */
export function auditEntryToDict(entry: AuditEntry): AuditEntryDict {
  return {
    bot_id: entry.botId,
    version: entry.version,
    at: entry.at.toISOString(),
    actor: entry.actor,
    reason: entry.reason,
    action: entry.action,
    changed: entry.changed,
    labels: entry.labels,
  };
}

/**
 * An entry from its wire form (`TypeError` when it is not one).
 * @example
 * const entries = body.items.map(auditEntryFromDict);
 */
export function auditEntryFromDict(data: AuditEntryDict): AuditEntry {
  if (
    typeof data?.bot_id !== "string" ||
    typeof data.version !== "number" ||
    typeof data.at !== "string" ||
    typeof data.action !== "string"
  )
    throw new TypeError("auditEntryFromDict needs bot_id, version, at and action");
  return {
    botId: data.bot_id,
    version: data.version,
    at: new Date(data.at),
    actor: data.actor ?? null,
    reason: data.reason ?? null,
    action: data.action,
    changed: data.changed ?? null,
    labels: data.labels ?? {},
  };
}
