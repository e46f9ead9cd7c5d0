/**
 * {@link RegistryBackendBase}: the registry methods that follow from the others (`getConfig`,
 * `peekConfig`, `exists`, `listAll`, `listActive`, `listIds`, `count`, and the label reads, the
 * diff and the audit trail), written once for every backend.
 * @module
 */
import { NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import type { JsonPatchOperation } from "../util/json-patch.ts";
import { type JsonObject, validateBotId } from "../validate.ts";
import type { AuditEntry } from "./audit-entry.ts";
import {
  type BotLabels,
  checkLabelName,
  LATEST_LABEL,
  type LabelTarget,
  labelViews,
  resolveLabel,
} from "./labels.ts";
import type { Page, PageOptions } from "./record-store.ts";
import { Registration } from "./registration.ts";
import { validateVersion } from "./store-writer.ts";
import type {
  AuditOptions,
  LabeledReadOptions,
  LabelWriteOptions,
  ListPageOptions,
  RegisterOptions,
  RegistryBackend,
  RegistryCapabilities,
  RollbackOptions,
  UpdateOptions,
  WriteContextOptions,
} from "./types.ts";

// The audit trail and diffs load on first use: a Worker that never asks for them never parses them.
const auditModule = () => import("./audit.ts");

/** The longest caller key a split resolves by. */
export const MAX_LABEL_KEY_CHARS = 1024;

/**
 * A caller key for a split, checked: a string of 1–1,024 characters (`ValidationError` naming
 * `key` otherwise); `undefined` passes.
 * @example
 * checkLabelKey("user-42"); // "user-42"
 */
export function checkLabelKey(key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== "string" || key.length < 1 || key.length > MAX_LABEL_KEY_CHARS) {
    const message = `expected a string of 1–${MAX_LABEL_KEY_CHARS} characters`;
    throw new ValidationError(`Invalid key: ${message}`, [{ path: ["key"], message }]);
  }
  return key;
}

/**
 * The bot's labels read from its current registration.
 * @example
 * labelsOfHead(await backend.peek("support-bot"));
 */
export function labelsOfHead(head: Registration): BotLabels {
  return {
    botId: head.botId,
    version: head.version,
    status: head.status,
    labels: labelViews(head, head.version),
  };
}

/**
 * `reg` (a kept version) with the bot's current labels from `head`: what a labelled read
 * answers (labels belong to the bot; the version keeps its content and write context).
 */
function withCurrentLabels(reg: Registration, head: Registration): Registration {
  if (reg === head) return reg;
  const dict = reg.toDict();
  const ext = { ...dict.ext };
  delete ext.labels;
  delete ext.splits;
  if (Object.keys(head.labels).length > 0) ext.labels = { ...head.labels };
  if (Object.keys(head.splits).length > 0)
    ext.splits = Object.fromEntries(
      Object.entries(head.splits).map(([n, shares]) => [n, shares.map((s) => ({ ...s }))]),
    );
  if (Object.keys(ext).length > 0) dict.ext = ext;
  else delete dict.ext;
  return Registration.fromDict(dict);
}

/**
 * Extend it and implement the primitive calls; the derived ones come for free (override them
 * where the backend can do better).
 * @example
 * class MyBackend extends RegistryBackendBase {
 *   async listPage(options) { ... } // listAll, listActive, listIds and count walk its pages
 * }
 */
export abstract class RegistryBackendBase implements RegistryBackend {
  /**
   * Strong, with compare-and-set, unless `visibilityLagMs` says otherwise; override for a backend
   * that knows better.
   */
  get capabilities(): RegistryCapabilities {
    const lag = this.visibilityLagMs;
    return {
      consistency: lag > 0 ? "eventual" : "strong",
      visibilityLagMs: lag,
      atomicWrites: true,
      labels: false,
    };
  }
  /** The bound on how late a write shows (ms; 0 here); see {@link RegistryCapabilities}. */
  get visibilityLagMs(): number {
    return 0;
  }
  abstract initialize(): Promise<void>;
  abstract close(): Promise<void>;
  abstract register(
    botId: string,
    config: JsonObject,
    options?: RegisterOptions,
  ): Promise<Registration>;
  abstract update(
    botId: string,
    config: JsonObject,
    options?: UpdateOptions,
  ): Promise<Registration>;
  abstract get(botId: string): Promise<Registration | null>;
  abstract peek(botId: string): Promise<Registration | null>;
  abstract deactivate(botId: string, options?: WriteContextOptions): Promise<boolean>;
  abstract unregister(botId: string, options?: WriteContextOptions): Promise<boolean>;
  abstract listPage(options?: ListPageOptions): Promise<Page<Registration>>;
  abstract clear(): Promise<void>;
  abstract revision(): Promise<string>;
  abstract history(botId: string, options?: PageOptions): Promise<Page<Registration>>;
  abstract getVersion(botId: string, version: number): Promise<Registration | null>;
  abstract rollback(
    botId: string,
    version: number,
    options?: RollbackOptions,
  ): Promise<Registration>;

  /** Throws `UnsupportedError`: a backend that can write labels overrides it. */
  async setLabel(
    botId: string,
    name: string,
    _target: LabelTarget,
    _options?: LabelWriteOptions,
  ): Promise<BotLabels> {
    throw new UnsupportedError(`${this}: cannot set label '${name}' of bot '${botId}' (no labels)`);
  }

  /** Throws `UnsupportedError`: a backend that can write labels overrides it. */
  async deleteLabel(botId: string, name: string, _options?: LabelWriteOptions): Promise<boolean> {
    throw new UnsupportedError(
      `${this}: cannot delete label '${name}' of bot '${botId}' (no labels)`,
    );
  }

  /** From `peek`. */
  async getLabels(botId: string): Promise<BotLabels | null> {
    const head = await this.peek(botId);
    return head && labelsOfHead(head);
  }

  /** From `get` (or `peek`) and `getVersion`. */
  async getLabeled(
    botId: string,
    label: string,
    options: LabeledReadOptions = {},
  ): Promise<Registration | null> {
    validateBotId(botId);
    checkLabelName(label, true);
    const key = checkLabelKey(options.key);
    const head = options.peek === true ? await this.peek(botId) : await this.get(botId);
    if (!head) return null;
    if (label === LATEST_LABEL) return head;
    if (head.status !== "active")
      throw new NotFoundError(`Bot '${botId}' is ${head.status}: its labels serve nothing`);
    const version = resolveLabel(botId, head, head.version, label, key);
    if (version === undefined) throw new NotFoundError(`Bot '${botId}' has no label '${label}'`);
    const reg = version === head.version ? head : await this.getVersion(botId, version);
    if (!reg)
      throw new NotFoundError(
        `Version ${version} of bot '${botId}' (label '${label}') is no longer kept`,
      );
    return withCurrentLabels(reg, head);
  }

  /** From `getVersion` (see `audit.ts`). */
  async diff(botId: string, from: number, to: number): Promise<JsonPatchOperation[]> {
    validateBotId(botId);
    validateVersion(from, "from");
    validateVersion(to, "to");
    return (await auditModule()).diffVersions(this, botId, from, to);
  }

  /** From `listPage` and `history` (see `audit.ts`). */
  async audit(options: AuditOptions = {}): Promise<Page<AuditEntry>> {
    return (await auditModule()).auditPage(this, options);
  }

  async getConfig(botId: string): Promise<JsonObject | null> {
    return (await this.get(botId))?.config ?? null;
  }

  async peekConfig(botId: string): Promise<JsonObject | null> {
    return (await this.peek(botId))?.config ?? null;
  }

  async exists(botId: string): Promise<boolean> {
    return (await this.peek(botId))?.status === "active";
  }

  /** Every page of `listPage(options)`, joined. */
  protected async walk(options: Omit<ListPageOptions, "cursor"> = {}): Promise<Registration[]> {
    const all: Registration[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listPage(cursor === undefined ? options : { ...options, cursor });
      for (const r of page.items) all.push(r);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return all;
  }

  async listAll(): Promise<Registration[]> {
    return this.walk();
  }

  async listActive(): Promise<Registration[]> {
    return this.walk({ status: "active" });
  }

  async listIds(): Promise<string[]> {
    return (await this.listActive()).map((r) => r.botId);
  }

  async count(): Promise<number> {
    return (await this.listActive()).length;
  }
}
