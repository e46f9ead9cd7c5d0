/**
 * {@link HttpLabels}: the label, diff and audit calls of `HTTPRegistryBackend` over the routes
 * `botknobs/server` serves (`/bots/{id}/labels…`, `/bots/{id}?label=`, `…/diff/…`, `/audit`).
 * @module
 */
import { AdapterError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { HttpJson } from "../http/request.ts";
import type { JsonPatchOperation } from "../util/json-patch.ts";
import { validateBotId } from "../validate.ts";
import { type AuditEntry, type AuditEntryDict, auditEntryFromDict } from "./audit-entry.ts";
import { checkLabelKey } from "./base-backend.ts";
import { errorText, queryString } from "./http-listing.ts";
import {
  type BotLabels,
  type BotLabelsDict,
  checkLabelName,
  checkLabelTarget,
  type LabelTarget,
} from "./labels.ts";
import { type Page, pageLimit } from "./page.ts";
import { Registration, type RegistrationDict } from "./registration.ts";
import { validateVersion } from "./store-writer.ts";
import type { AuditOptions, LabeledReadOptions } from "./types.ts";

/** Where the calls go. */
export interface HttpLabelsOptions {
  http: HttpJson;
  /** The URL of a bot (`/bots/{id}`) with `suffix` after it. */
  item(botId: string, suffix?: string): string;
  /** The server's base URL (`/audit` hangs off it). */
  baseUrl: string;
}

const labelsOf = (d: BotLabelsDict): BotLabels => ({
  botId: d.bot_id,
  version: d.version,
  status: d.status,
  labels: d.labels,
});

/**
 * The label, diff and audit requests, their arguments checked as the library checks them
 * (`ValidationError` before any request).
 * @example
 * const labels = new HttpLabels({ http, item: (id, s = "") => `${base}/bots/${id}${s}`, baseUrl: base });
 */
export class HttpLabels {
  readonly #o: HttpLabelsOptions;

  constructor(options: HttpLabelsOptions) {
    this.#o = options;
  }

  /** `GET /bots/{id}/labels`; `null` on 404. */
  async getLabels(botId: string): Promise<BotLabels | null> {
    validateBotId(botId);
    const url = this.#o.item(botId, "/labels");
    const response = await this.#o.http.request("GET", url);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) return this.#o.http.fail(response, "GET", url);
    return labelsOf(await this.#o.http.json<BotLabelsDict>(response));
  }

  /**
   * A label write (`PUT` with the target, `DELETE` without): 404 → `NotFoundError` (or
   * `null`, removing), 409 (a version that cannot be labelled) and 412 (stale `ifVersion`) →
   * `ConflictError`, 428 (a protected label) → `ConflictError` asking for `ifVersion`.
   */
  async write(
    botId: string,
    name: string,
    given: LabelTarget | null,
    ifVersion: number | undefined,
    reason: string | undefined,
  ): Promise<BotLabels | null | true> {
    validateBotId(botId);
    checkLabelName(name);
    const target = given === null ? null : checkLabelTarget(given);
    if (ifVersion !== undefined) validateVersion(ifVersion, "ifVersion");
    const url = this.#o.item(botId, `/labels/${encodeURIComponent(name)}`);
    const method = target === null ? "DELETE" : "PUT";
    const body = { ...target, ...(reason === undefined ? {} : { reason }) };
    const response = await this.#o.http.request(method, url, {
      ...(target !== null || reason !== undefined ? { body } : {}),
      headers: ifVersion === undefined ? {} : { "if-match": `"${ifVersion}"` },
    });
    if (response.ok) {
      if (target === null) {
        await response.body?.cancel();
        return true;
      }
      return labelsOf(await this.#o.http.json<BotLabelsDict>(response));
    }
    const status = response.status;
    if (status === 404 || status === 409 || status === 412 || status === 428) {
      const message = errorText(await response.text(), `${method} ${url}: ${status}`);
      if (status === 404) {
        if (target === null) return null;
        throw new NotFoundError(message);
      }
      throw new ConflictError(
        status === 428 ? `${message} (pass ifVersion: the bot's current version)` : message,
      );
    }
    return this.#o.http.fail(response, method, url);
  }

  /**
   * `GET /bots/{id}?label=&key=&peek=`: `null` when the bot is missing; `NotFoundError` when it
   * has no such label, is not active, or the version is no longer kept.
   */
  async getLabeled(
    botId: string,
    label: string,
    options: LabeledReadOptions,
  ): Promise<Registration | null> {
    validateBotId(botId);
    checkLabelName(label, true);
    const key = checkLabelKey(options.key);
    const peek = options.peek === true ? 1 : undefined;
    const url = this.#o.item(botId, queryString({ label, key, peek }));
    const response = await this.#o.http.request("GET", url);
    if (response.status === 404) {
      const message = errorText(await response.text(), `Bot '${botId}' not found`);
      // The server's message for a missing bot; anything else is about the label.
      if (message === `Bot '${botId}' not found`) return null;
      throw new NotFoundError(message);
    }
    if (!response.ok) return this.#o.http.fail(response, "GET", url);
    const data = await this.#o.http.json<RegistrationDict>(response);
    try {
      return Registration.fromDict(data);
    } catch (error) {
      throw new AdapterError("http", `${url}: not a registration`, { cause: error });
    }
  }

  /** `GET /bots/{id}/versions/{from}/diff/{to}`; 404 → `NotFoundError` with the server's message. */
  async diff(botId: string, from: number, to: number): Promise<JsonPatchOperation[]> {
    validateBotId(botId);
    validateVersion(from, "from");
    validateVersion(to, "to");
    const url = this.#o.item(botId, `/versions/${from}/diff/${to}`);
    const response = await this.#o.http.request("GET", url);
    if (response.status === 404)
      throw new NotFoundError(errorText(await response.text(), `Bot '${botId}' not found`));
    if (!response.ok) return this.#o.http.fail(response, "GET", url);
    const patch = await this.#o.http.json<unknown>(response);
    if (!Array.isArray(patch)) throw new AdapterError("http", `GET ${url}: not a JSON Patch`);
    return patch as JsonPatchOperation[];
  }

  /** `GET /audit?since=&bot_id=&cursor=&limit=` (`since` and `limit` checked first). */
  async audit(options: AuditOptions): Promise<Page<AuditEntry>> {
    const { since, botId, cursor } = options;
    const limit = options.limit === undefined ? undefined : pageLimit(options.limit);
    if (botId !== undefined) validateBotId(botId);
    let at: string | undefined;
    if (since !== undefined) {
      const time = since instanceof Date ? since.getTime() : Date.parse(since);
      if (Number.isNaN(time))
        throw new ValidationError(`Invalid since: ${JSON.stringify(String(since))} is not a time`, [
          { path: ["since"], message: "expected an ISO-8601 time" },
        ]);
      at = new Date(time).toISOString();
    }
    const query = queryString({ since: at, bot_id: botId, cursor, limit });
    const url = `${this.#o.baseUrl}/audit${query}`;
    const response = await this.#o.http.request("GET", url);
    // The server checks since, cursor and limit as the library does: its 400 is the same error.
    if (response.status === 400)
      throw new ValidationError(errorText(await response.text(), `GET ${url}: bad request`));
    if (!response.ok) return this.#o.http.fail(response, "GET", url);
    const body = await this.#o.http.json<{ items?: unknown; cursor?: unknown }>(response);
    if (!Array.isArray(body?.items))
      throw new AdapterError("http", `GET ${url}: not a page of audit entries`);
    let items: AuditEntry[];
    try {
      items = (body.items as AuditEntryDict[]).map(auditEntryFromDict);
    } catch (error) {
      throw new AdapterError("http", `GET ${url}: not an audit entry`, { cause: error });
    }
    return typeof body.cursor === "string" ? { items, cursor: body.cursor } : { items };
  }
}
