/**
 * {@link Api}: the few calls of the botknobs HTTP API the command line makes, over any fetch —
 * the network's (a running server, `--server`) or an app's own `app.fetch` in this process (a
 * data folder, `--data`), so that both go through the one contract the server keeps.
 * @module
 */
import type { IngestionJobDict } from "../core/knowledge/ingest/scheduler.ts";
import type { KnowledgeBaseInfoDict, KnowledgeFileDict } from "../core/knowledge/store/models.ts";
import type { RegistrationDict } from "../core/registry/registration.ts";
import type { JsonObject } from "../core/validate.ts";
import { CliError, EXIT } from "./errors.ts";

/** A fetch function (the global one, or an app's `fetch`). */
export type Fetch = (request: Request) => Promise<Response> | Response;

/** One search hit as `GET /kb/{domain}/search` answers it. */
export interface SearchHit {
  text: string;
  source: string;
  heading_path: string;
  similarity: number;
  metadata: JsonObject;
}

/** The answer of `GET /kb/{domain}/search`. */
export interface SearchAnswer {
  query: string;
  k: number;
  results: SearchHit[];
}

/** A file's bytes to upload: a whole buffer, or a stream with its length. */
export type UploadBody = Uint8Array | { stream: ReadableStream<Uint8Array>; size: number };

/** Percent-encodes each segment of a knowledge file path. */
const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");
const id = encodeURIComponent;

/**
 * The API at `base` through `fetch`, with a bearer token when given. Every failure is a
 * {@link CliError}: 404 exits 3, a refused input 2, the rest 1, with the server's message.
 * @example
 * const api = new Api("http://127.0.0.1:8787", fetch, process.env.BOTKNOBS_TOKEN);
 * const bots = await api.listBots();
 */
export class Api {
  readonly base: string;
  readonly #fetch: Fetch;
  readonly #token: string | undefined;
  /** Names the target in errors (`server http://…`, `data folder /…`). */
  readonly where: string;

  constructor(base: string, fetch: Fetch, token?: string, where?: string) {
    this.base = base.replace(/\/+$/, "");
    this.#fetch = fetch;
    this.#token = token;
    this.where = where ?? `server ${this.base}`;
  }

  /** One call; the response when it is 2xx, else a {@link CliError} saying why. */
  async call(
    method: string,
    path: string,
    init: { json?: unknown; body?: UploadBody; okStatuses?: number[] } = {},
  ): Promise<Response> {
    const headers = new Headers();
    if (this.#token) headers.set("authorization", `Bearer ${this.#token}`);
    let body: BodyInit | undefined;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    } else if (init.body instanceof Uint8Array) {
      body = init.body as Uint8Array<ArrayBuffer>;
    } else if (init.body) {
      headers.set("content-length", String(init.body.size));
      body = init.body.stream;
    }
    const request = new Request(`${this.base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    let response: Response;
    try {
      response = await this.#fetch(request);
    } catch (error) {
      const why = error instanceof Error ? (error.cause ?? error) : error;
      throw new CliError(
        `cannot reach the ${this.where} (${why instanceof Error ? why.message : String(why)}): is \`botknobs serve\` running there? Check --server or BOTKNOBS_SERVER`,
        EXIT.FAILED,
        { cause: error },
      );
    }
    if (response.ok || init.okStatuses?.includes(response.status)) return response;
    throw await this.#failure(method, path, response);
  }

  async #failure(method: string, path: string, response: Response): Promise<CliError> {
    const text = await response.text().catch(() => "");
    let message = text.trim().slice(0, 500) || response.statusText;
    try {
      const body = JSON.parse(text) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: the text as it came
    }
    const status = response.status;
    if (status === 401)
      return new CliError(
        `${message} (${method} ${path} on the ${this.where}): set BOTKNOBS_TOKEN to one of the server's tokens`,
      );
    if (status === 403)
      return new CliError(
        `${message} (${method} ${path} on the ${this.where}): BOTKNOBS_TOKEN is a read-only token; writes need a read-write one`,
      );
    const code = status === 404 ? EXIT.NOT_FOUND : status === 400 ? EXIT.USAGE : EXIT.FAILED;
    return new CliError(`${message} (${method} ${path}: ${status})`, code);
  }

  async #json<T>(method: string, path: string, init: { json?: unknown } = {}): Promise<T> {
    return (await (await this.call(method, path, init)).json()) as T;
  }

  /** Every bot (all pages), optionally of one status. */
  async listBots(status?: string): Promise<RegistrationDict[]> {
    const items: RegistrationDict[] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams();
      if (status) q.set("status", status);
      if (cursor) q.set("cursor", cursor);
      const page = await this.#json<{ items: RegistrationDict[]; cursor?: string }>(
        "GET",
        `/bots${q.size ? `?${q}` : ""}`,
      );
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }

  /** A bot as it is now, or one of its versions. */
  getBot(botId: string, version?: number): Promise<RegistrationDict> {
    return this.#json(
      "GET",
      version === undefined ? `/bots/${id(botId)}` : `/bots/${id(botId)}/versions/${version}`,
    );
  }

  /** Writes a bot's config (a new version), keeping its status unless one is given. */
  putBot(botId: string, config: JsonObject, status?: string): Promise<RegistrationDict> {
    return this.#json("PUT", `/bots/${id(botId)}`, {
      json: { config, ...(status ? { status } : {}) },
    });
  }

  /** A bot's kept versions, newest first (up to `limit`). */
  async history(
    botId: string,
    limit: number = Number.POSITIVE_INFINITY,
  ): Promise<RegistrationDict[]> {
    const items: RegistrationDict[] = [];
    let cursor: string | undefined;
    do {
      const q = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
      const page = await this.#json<{ items: RegistrationDict[]; cursor?: string }>(
        "GET",
        `/bots/${id(botId)}/versions${q}`,
      );
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor && items.length < limit);
    return items.slice(0, limit);
  }

  /** A new version of a bot with the content of `version`. */
  rollback(botId: string, version: number): Promise<RegistrationDict> {
    return this.#json("POST", `/bots/${id(botId)}/rollback`, { json: { version } });
  }

  /** Every knowledge base. */
  async listKbs(): Promise<KnowledgeBaseInfoDict[]> {
    return (await this.#json<{ items: KnowledgeBaseInfoDict[] }>("GET", "/kb")).items;
  }

  /** A knowledge base's summary, or null when it does not exist. */
  async kb(domain: string): Promise<KnowledgeBaseInfoDict | null> {
    const response = await this.call("GET", `/kb/${id(domain)}`, { okStatuses: [404] });
    return response.status === 404 ? null : ((await response.json()) as KnowledgeBaseInfoDict);
  }

  /** Creates a knowledge base. */
  createKb(domain: string): Promise<KnowledgeBaseInfoDict> {
    return this.#json("POST", "/kb", { json: { domain_id: domain } });
  }

  /** Deletes a knowledge base, its files and its index. */
  async deleteKb(domain: string): Promise<void> {
    await this.call("DELETE", `/kb/${id(domain)}`);
  }

  /** A knowledge base's files with their checksums. */
  async listFiles(domain: string): Promise<KnowledgeFileDict[]> {
    return (await this.#json<{ items: KnowledgeFileDict[] }>("GET", `/kb/${id(domain)}/files`))
      .items;
  }

  /** Uploads one file (created or replaced). */
  async putFile(domain: string, path: string, body: UploadBody): Promise<KnowledgeFileDict> {
    const response = await this.call("PUT", `/kb/${id(domain)}/files/${encodePath(path)}`, {
      body,
    });
    return (await response.json()) as KnowledgeFileDict;
  }

  /** Deletes one file. */
  async deleteFile(domain: string, path: string): Promise<void> {
    await this.call("DELETE", `/kb/${id(domain)}/files/${encodePath(path)}`);
  }

  /** Starts an ingestion job. */
  ingest(domain: string, options: { force?: boolean } = {}): Promise<IngestionJobDict> {
    return this.#json("POST", `/kb/${id(domain)}/ingest`, { json: { ...options } });
  }

  /** One ingestion job as it stands. */
  job(domain: string, jobId: string): Promise<IngestionJobDict> {
    return this.#json("GET", `/kb/${id(domain)}/ingest/${id(jobId)}`);
  }

  /** The ingestion jobs this server remembers for a knowledge base, newest first. */
  async jobs(domain: string): Promise<IngestionJobDict[]> {
    return (await this.#json<{ items: IngestionJobDict[] }>("GET", `/kb/${id(domain)}/ingest`))
      .items;
  }

  /** The best `k` chunks for `query`. */
  search(domain: string, query: string, k: number): Promise<SearchAnswer> {
    const q = new URLSearchParams({ q: query, k: String(k) });
    return this.#json("GET", `/kb/${id(domain)}/search?${q}`);
  }
}
