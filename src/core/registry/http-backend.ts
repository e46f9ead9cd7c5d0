/**
 * {@link HTTPRegistryBackend}: the whole `RegistryBackend` over `fetch`, speaking the HTTP
 * contract that `botknobs/server` serves (API.md, "Registry").
 * @module
 */
import {
  AdapterError,
  ConflictError,
  NotFoundError,
  ReadOnlyError,
  UnsupportedError,
  ValidationError,
} from "../errors.ts";
import { HttpJson, httpAuthHeaders } from "../http/request.ts";
import type { JsonPatchOperation } from "../util/json-patch.ts";
import { sha256Hex } from "../util/sha256.ts";
import {
  DEFAULT_MAX_CONFIG_BYTES,
  type JsonObject,
  validateBotId,
  validateMetadata,
  validateStatus,
} from "../validate.ts";
import type { AuditEntry } from "./audit-entry.ts";
import { RegistryBackendBase } from "./base-backend.ts";
import { HttpLabels } from "./http-labels.ts";
import { errorCode, errorText, listing, queryString, unquote } from "./http-listing.ts";
import { checkBotConfig } from "./knowledge-pin.ts";
import type { BotLabels, LabelTarget } from "./labels.ts";
import { type Page, type PageOptions, pageLimit } from "./page.ts";
import { MAX_REASON_CHARS } from "./record-ext.ts";
import { Registration, type RegistrationDict } from "./registration.ts";
import { validateVersion } from "./store-writer.ts";
import type {
  AuditOptions,
  LabeledReadOptions,
  LabelWriteOptions,
  ListPageOptions,
  RegisterOptions,
  RegistryCapabilities,
  RollbackOptions,
  UpdateOptions,
  WriteContextOptions,
} from "./types.ts";

/** Options of {@link HTTPRegistryBackend}. */
export interface HTTPRegistryBackendOptions {
  /** The server, e.g. `"https://api.example.com"` (a path prefix is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (or in `authHeader` when that names a header). */
  authToken?: string;
  /**
   * A header name for `authToken` (`"X-API-Key"`), or a whole `Authorization` value
   * (`"Bearer token123"`, as in the seed's example).
   */
  authHeader?: string;
  /** Seconds before a request is abandoned (default 30). */
  timeout?: number;
  /** Writes throw `ReadOnlyError` without a request. */
  readOnly?: boolean;
  /** Where the registrations are (default `"/bots"`; the original server used `"/configs"`). */
  resourcePath?: string;
  /** The `fetch` to use (default the global one), e.g. `app.fetch` wrapped, or a service binding's. */
  fetch?: typeof fetch;
  /** Size limit of one config's JSON, checked before sending (default 1 MiB). */
  maxConfigBytes?: number;
}

/**
 * A registry on another server (a `botknobs/server` app, or anything speaking its contract).
 * Ids and configs are validated here before a request is made; 404 reads give `null`/`false`;
 * other error statuses throw `HttpError` with the status and the response's text.
 * @example
 * const backend = new HTTPRegistryBackend({ baseUrl: "https://bots.example.com", authHeader: "Bearer token123", timeout: 30 });
 * await backend.register("support-bot", { llm: { provider: "anthropic" } });
 * const config = await backend.getConfig("support-bot");
 */
export class HTTPRegistryBackend extends RegistryBackendBase {
  readonly baseUrl: string;
  readonly resourcePath: string;
  readonly timeout: number;
  readonly readOnly: boolean;
  readonly #http: HttpJson;
  readonly #labels: HttpLabels;
  readonly #maxConfigBytes: number;
  #revisionTag: string | null = null;

  constructor(options: HTTPRegistryBackendOptions) {
    super();
    if (typeof options?.baseUrl !== "string" || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new ValidationError(
        `Invalid baseUrl ${JSON.stringify(options?.baseUrl)}: expected an http(s) URL`,
        [{ path: ["baseUrl"], message: "expected an http(s) URL" }],
      );
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const path = options.resourcePath ?? "/bots";
    this.resourcePath = `/${path.replace(/^\/+|\/+$/g, "")}`;
    this.timeout = options.timeout ?? 30;
    if (!(this.timeout > 0))
      throw new ValidationError(`Invalid timeout ${this.timeout}: must be > 0 seconds`);
    this.readOnly = options.readOnly ?? false;
    this.#http = new HttpJson({
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      headers: httpAuthHeaders(options),
      timeout: this.timeout,
    });
    this.#maxConfigBytes = options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.#labels = new HttpLabels({
      http: this.#http,
      item: (botId, suffix) => this.#url(botId, suffix),
      baseUrl: this.baseUrl,
    });
  }

  /** Strong, with compare-and-set, and labels: what `botknobs/server` serves. */
  override get capabilities(): RegistryCapabilities {
    return { ...super.capabilities, labels: true };
  }

  #url(botId?: string, suffix = ""): string {
    const item = botId === undefined ? "" : `/${encodeURIComponent(botId)}`;
    return `${this.baseUrl}${this.resourcePath}${item}${suffix}`;
  }

  async #registration(response: Response): Promise<Registration> {
    const data = await this.#http.json<RegistrationDict>(response);
    try {
      return Registration.fromDict(data);
    } catch (error) {
      throw new AdapterError("http", `${response.url || this.baseUrl}: not a registration`, {
        cause: error,
      });
    }
  }

  /**
   * Checks a write may be sent — not read-only, naming no `actor` (the server records the name
   * of the token the request carries, never one a client names: an actor sent and replaced would
   * be an audit trail that lies) — and returns the body fields of its `reason`.
   */
  #writable(options: WriteContextOptions = {}): { reason?: string } {
    if (this.readOnly) throw new ReadOnlyError(`HTTP registry at ${this.baseUrl} is read-only`);
    if (options.actor !== undefined)
      throw new UnsupportedError(
        `HTTP registry at ${this.baseUrl}: the server records the token's name as the actor; a write cannot name one`,
      );
    const { reason } = options;
    if (reason === undefined) return {};
    if (typeof reason !== "string" || reason.length > MAX_REASON_CHARS)
      throw new ValidationError(`Invalid reason: at most ${MAX_REASON_CHARS} characters`, [
        { path: ["reason"], message: `at most ${MAX_REASON_CHARS} characters` },
      ]);
    return { reason };
  }

  /** Nothing to set up: every call is one request. */
  async initialize(): Promise<void> {}

  async close(): Promise<void> {}

  async register(
    botId: string,
    config: JsonObject,
    options: RegisterOptions = {},
  ): Promise<Registration> {
    const reason = this.#writable(options);
    validateBotId(botId);
    const value = checkBotConfig(config, this.#maxConfigBytes);
    const body: Record<string, unknown> = {
      ...reason,
      config: value,
      // Always explicit: register is an upsert to this status (PUT without it keeps the current one).
      status: validateStatus(options.status ?? "active"),
    };
    if (options.metadata !== undefined) body.metadata = validateMetadata(options.metadata);
    const url = this.#url(botId);
    const response = await this.#http.request("PUT", url, { body });
    if (!response.ok) return this.#http.fail(response, "PUT", url);
    return this.#registration(response);
  }

  async update(
    botId: string,
    config: JsonObject,
    options: UpdateOptions = {},
  ): Promise<Registration> {
    const reason = this.#writable(options);
    validateBotId(botId);
    const value = checkBotConfig(config, this.#maxConfigBytes);
    const body: Record<string, unknown> = { ...reason, config: value };
    if (options.status !== undefined) body.status = validateStatus(options.status);
    if (options.metadata !== undefined) body.metadata = validateMetadata(options.metadata);
    // `*`: must exist. A version: must be at that version. Both are 412 otherwise. Neither,
    // with createIfMissing: the server's upsert that keeps the status.
    const ifMatch =
      options.ifVersion !== undefined
        ? `"${options.ifVersion}"`
        : options.createIfMissing === true
          ? undefined
          : "*";
    const url = this.#url(botId);
    const response = await this.#http.request("PUT", url, {
      body,
      headers: ifMatch === undefined ? {} : { "if-match": ifMatch },
    });
    if (response.status === 412) {
      const text = await response.text();
      if (errorCode(text) === "NOT_FOUND") throw new NotFoundError(`Bot '${botId}' not found`);
      throw new ConflictError(
        `Bot '${botId}' is not at version ${options.ifVersion} (${text.slice(0, 500)})`,
      );
    }
    if (!response.ok) return this.#http.fail(response, "PUT", url);
    return this.#registration(response);
  }

  /** `GET url`: the response, `null` on 404; other error statuses throw `HttpError`. */
  async #found(url: string): Promise<Response | null> {
    const response = await this.#http.request("GET", url);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return response.ok ? response : this.#http.fail(response, "GET", url);
  }

  async #read(botId: string, suffix: string): Promise<Registration | null> {
    validateBotId(botId);
    const response = await this.#found(this.#url(botId, suffix));
    return response && this.#registration(response);
  }

  /** Reads and records the access on the server. */
  get(botId: string): Promise<Registration | null> {
    return this.#read(botId, "");
  }

  /** Reads with `?peek=1`: the server records no access. */
  peek(botId: string): Promise<Registration | null> {
    return this.#read(botId, "?peek=1");
  }

  async #write(method: string, url: string, body: { reason?: string }): Promise<boolean> {
    const response = await this.#http.request(
      method,
      url,
      body.reason === undefined ? {} : { body },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return false;
    }
    if (!response.ok) return this.#http.fail(response, method, url);
    await response.body?.cancel();
    return true;
  }

  async deactivate(botId: string, options: WriteContextOptions = {}): Promise<boolean> {
    const reason = this.#writable(options);
    validateBotId(botId);
    return this.#write("POST", this.#url(botId, "/deactivate"), reason);
  }

  async unregister(botId: string, options: WriteContextOptions = {}): Promise<boolean> {
    const reason = this.#writable(options);
    validateBotId(botId);
    return this.#write("DELETE", this.#url(botId), reason);
  }

  #query(options: Record<string, string | number | undefined>): string {
    return queryString(options);
  }

  /**
   * A page of `GET /bots?limit=&cursor=&status=`. A server that answers with a plain array (the
   * seed's contract) or `{ configs: [...] }` gives one page of everything (filtered here by status).
   */
  async listPage(options: ListPageOptions = {}): Promise<Page<Registration>> {
    const status = options.status === undefined ? undefined : validateStatus(options.status);
    const limit = options.limit === undefined ? undefined : pageLimit(options.limit);
    const url = `${this.#url()}${this.#query({ status, limit, cursor: options.cursor })}`;
    const response = await this.#http.request("GET", url);
    if (!response.ok) return this.#http.fail(response, "GET", url);
    return listing(await this.#http.json<unknown>(response), url, status);
  }

  /** `GET /bots/{id}/versions`: newest first; a missing bot has none. */
  async history(botId: string, options: PageOptions = {}): Promise<Page<Registration>> {
    validateBotId(botId);
    const limit = options.limit === undefined ? undefined : pageLimit(options.limit);
    const url = this.#url(botId, `/versions${this.#query({ limit, cursor: options.cursor })}`);
    const response = await this.#found(url);
    return response
      ? listing(await this.#http.json<unknown>(response), url, undefined)
      : { items: [] };
  }

  /** `GET /bots/{id}/versions/{version}`; `null` when the bot or version is missing. */
  async getVersion(botId: string, version: number): Promise<Registration | null> {
    return this.#read(botId, `/versions/${validateVersion(version)}`);
  }

  /** `POST /bots/{id}/rollback` with `If-Match: "<ifVersion>"` when given. */
  async rollback(
    botId: string,
    version: number,
    options: RollbackOptions = {},
  ): Promise<Registration> {
    const reason = this.#writable(options);
    validateBotId(botId);
    validateVersion(version);
    const headers: Record<string, string> = {};
    if (options.ifVersion !== undefined)
      headers["if-match"] = `"${validateVersion(options.ifVersion, "ifVersion")}"`;
    const url = this.#url(botId, "/rollback");
    const response = await this.#http.request("POST", url, {
      body: { version, ...reason },
      headers,
    });
    if (response.status === 404 || response.status === 412) {
      const text = await response.text();
      if (response.status === 404 || errorCode(text) === "NOT_FOUND")
        throw new NotFoundError(errorText(text, `Version ${version} of bot '${botId}' not found`));
      throw new ConflictError(
        `Bot '${botId}' is not at version ${options.ifVersion} (${text.slice(0, 500)})`,
      );
    }
    if (!response.ok) return this.#http.fail(response, "POST", url);
    return this.#registration(response);
  }

  /** `GET /bots/{id}/labels`; `null` when the bot is missing. */
  override async getLabels(botId: string): Promise<BotLabels | null> {
    return this.#labels.getLabels(validateBotId(botId));
  }

  /**
   * `PUT /bots/{id}/labels/{name}` (`If-Match: "<ifVersion>"` when given). A protected label
   * (`production` by default) needs `ifVersion` unless the token may move it: `ConflictError`.
   */
  override async setLabel(
    botId: string,
    name: string,
    target: LabelTarget,
    options: LabelWriteOptions = {},
  ): Promise<BotLabels> {
    const { reason } = this.#writable(options);
    return (await this.#labels.write(botId, name, target, options.ifVersion, reason)) as BotLabels;
  }

  /** `DELETE /bots/{id}/labels/{name}`; false when the bot or the label is missing. */
  override async deleteLabel(
    botId: string,
    name: string,
    options: LabelWriteOptions = {},
  ): Promise<boolean> {
    const { reason } = this.#writable(options);
    return (await this.#labels.write(botId, name, null, options.ifVersion, reason)) === true;
  }

  /** `GET /bots/{id}?label=&key=` (`&peek=1` with `peek`). */
  override async getLabeled(
    botId: string,
    label: string,
    options: LabeledReadOptions = {},
  ): Promise<Registration | null> {
    return this.#labels.getLabeled(botId, label, options);
  }

  /** `GET /bots/{id}/versions/{from}/diff/{to}`. */
  override async diff(botId: string, from: number, to: number): Promise<JsonPatchOperation[]> {
    return this.#labels.diff(botId, from, to);
  }

  /** `GET /audit?since=&bot_id=&cursor=&limit=` (since and limit are checked here first). */
  override async audit(options: AuditOptions = {}): Promise<Page<AuditEntry>> {
    return this.#labels.audit(options);
  }

  /** Deletes every registration, one `DELETE` each (the contract has no bulk delete). */
  async clear(): Promise<void> {
    this.#writable();
    const ids = (await this.listAll()).map((r) => r.botId);
    for (let i = 0; i < ids.length; i += 16) {
      await Promise.all(ids.slice(i, i + 16).map((id) => this.unregister(id)));
    }
  }

  /**
   * The list's ETag from a `HEAD` with `If-None-Match: <last>`: never a body, and a 304 when
   * nothing changed. Falls back to the listing's `revision` for a server that sends no ETag.
   */
  async revision(): Promise<string> {
    const url = this.#url();
    const headers: Record<string, string> = {};
    if (this.#revisionTag !== null) headers["if-none-match"] = `"${this.#revisionTag}"`;
    const response = await this.#http.request("HEAD", url, { headers });
    await response.body?.cancel();
    if (response.status === 304 && this.#revisionTag !== null) return this.#revisionTag;
    if (!response.ok) return this.#http.fail(response, "HEAD", url);
    const etag = response.headers.get("etag");
    if (etag) {
      this.#revisionTag = unquote(etag);
      return this.#revisionTag;
    }
    // A server without ETags: the listing's `revision`, or (the seed's plain array) its hash.
    const list = await this.#http.request("GET", url);
    if (!list.ok) return this.#http.fail(list, "GET", url);
    const text = await list.text();
    let revision: unknown;
    try {
      revision = (JSON.parse(text) as { revision?: unknown } | null)?.revision;
    } catch {
      revision = undefined;
    }
    return typeof revision === "string" ? revision : `sha256:${await sha256Hex(text)}`;
  }

  override toString(): string {
    return `HTTPRegistryBackend(${this.baseUrl}${this.resourcePath})`;
  }
}
