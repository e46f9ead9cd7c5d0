/**
 * {@link HttpBlobStore}: a read-only {@link BlobStore} over plain HTTP (`fetch` only, so it runs
 * on every runtime and in a page), for searching a knowledge base's index straight from static
 * files: `botknobs export NAME OUT/` (or a `BlobSearchIndex` over an `FsBlobStore`) served by any
 * static host, R2 or S3 public bucket, or CDN.
 * @module
 */
import { AdapterError, ReadOnlyError, UnsupportedError } from "../errors.ts";
import { bytesToStream, readAll } from "../util/streams.ts";
import { checkRange } from "./checks.ts";
import { contentRange, metaOf, plainLength, sliceStream } from "./http-response.ts";
import { pageKeys } from "./list.ts";
import type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "./types.ts";

/** Options of {@link HttpBlobStore}. */
export interface HttpBlobStoreOptions {
  /** The folder's URL: key `a/b.seg` is read from `<baseUrl>/a/b.seg` (each part percent-encoded). */
  baseUrl: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Sent with every request (a CDN token, say; a browser sends its own cookies). */
  headers?: Record<string, string>;
  /**
   * The key of the listing `list` reads: a `botknobs-export.json` as `botknobs export` writes it
   * (default). `null`: the store cannot list (`capabilities.list` is false) — HTTP itself has no
   * listing, and a `BlobSearchIndex` needs none to answer queries.
   */
  manifest?: string | null;
}

/** The default listing: the manifest `botknobs export` writes beside the files. */
export const HTTP_LISTING_MANIFEST = "botknobs-export.json";

/** The fields of a `botknobs-export.json` that `list` reads. */
interface ListingManifest {
  format: string;
  exported_at?: string;
  files: { key: string; bytes: number; sha256: string }[];
}

/**
 * Reads objects with `GET` (ranged reads with `Range`) and `HEAD` from a static HTTP server;
 * every write throws `ReadOnlyError`. Sizes come from `Content-Range` (a `206`) or
 * `Content-Length`; etags from `ETag` (else `Last-Modified` and the size).
 *
 * A server that ignores `Range` and answers `200` with the whole object still gives the right
 * bytes: the store drops the bytes before the range and cancels the response after it, so the
 * answer is correct but costs the transfer up to the range's end. A `416` (a range starting at or
 * past the end) is an empty body. `list` reads {@link HTTP_LISTING_MANIFEST} (see
 * {@link HttpBlobStoreOptions.manifest}); the etags it lists are `sha256:<hex>` of the manifest,
 * not the server's `ETag`.
 * @example
 * const store = new HttpBlobStore({ baseUrl: "https://example.com/kb-index/" });
 * const index = new BlobSearchIndex({ store });
 * const hits = await index.query([{ domainId: "docs", generation }], { text: "reset password" });
 */
export class HttpBlobStore implements BlobStore {
  readonly name: string = "http";
  readonly capabilities: BlobStoreCapabilities;
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #manifest: string | null;

  constructor(options: HttpBlobStoreOptions) {
    this.baseUrl = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    new URL(this.baseUrl); // a TypeError naming the bad URL, now rather than on the first read
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = options.headers ?? {};
    this.#manifest = options.manifest === undefined ? HTTP_LISTING_MANIFEST : options.manifest;
    this.capabilities = {
      conditionalPut: false,
      paginatedList: true,
      // What a static server says the type is (by file extension), not what a put was given.
      contentTypes: false,
      readOnly: true,
      list: this.#manifest !== null,
    };
  }

  async initialize(): Promise<void> {}
  async close(): Promise<void> {}

  /** The URL of `key`. */
  urlOf(key: string): string {
    return this.baseUrl + key.split("/").map(encodeURIComponent).join("/");
  }

  /** The response; null for a 404 or 410; statuses other than 2xx, 416 and `pass` throw. */
  async #request(
    method: string,
    key: string,
    headers: Record<string, string> = {},
    pass: readonly number[] = [],
  ): Promise<Response | null> {
    const url = this.urlOf(key);
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers: { ...this.#headers, ...headers } });
    } catch (error) {
      throw new AdapterError(this.name, `${method} ${url} failed: ${String(error)}`, {
        cause: error,
      });
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok && response.status !== 416 && !pass.includes(response.status)) {
      await response.body?.cancel();
      throw new AdapterError(
        this.name,
        `${method} ${url} answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    return response;
  }

  async head(key: string): Promise<BlobMeta | null> {
    // 405, 501: a server without HEAD.
    const response = await this.#request("HEAD", key, {}, [405, 501]);
    if (!response) return null;
    const size = response.ok ? plainLength(response.headers) : null;
    if (size !== null) return metaOf(key, response.headers, size);
    // No usable length (a HEAD refused, a compressed body): the first byte's range says it.
    const first = await this.get(key, { range: { offset: 0, length: 1 } });
    await first?.body.cancel();
    return first ? metaFromBody(first) : null;
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    const { range } = options;
    checkRange(key, range);
    if (range?.length === 0) {
      const meta = await this.head(key);
      return meta && { ...meta, body: emptyStream() };
    }
    const wanted = range
      ? `bytes=${range.offset}-${range.length === undefined ? "" : range.offset + range.length - 1}`
      : undefined;
    const response = await this.#request("GET", key, wanted ? { range: wanted } : {});
    if (!response) return null;
    const cr = contentRange(response.headers.get("content-range"));
    if (response.status === 416) {
      await response.body?.cancel();
      // The range starts at or past the end: empty, as every store answers it.
      const size = cr?.total ?? (await this.head(key))?.size;
      if (size === undefined) return null;
      return { ...metaOf(key, response.headers, size), body: emptyStream() };
    }
    if (response.status === 206) {
      if (!cr || cr.first !== range?.offset)
        throw new AdapterError(
          this.name,
          `GET ${this.urlOf(key)} answered 206 with Content-Range ${response.headers.get("content-range")} for ${wanted}`,
        );
      const size = cr.total ?? (await this.head(key))?.size ?? cr.last + 1;
      return { ...metaOf(key, response.headers, size), body: response.body ?? emptyStream() };
    }
    // 200: the whole object (no range asked, or the server ignored `Range`).
    let body = response.body ?? emptyStream();
    let size = plainLength(response.headers);
    if (size === null) {
      const bytes = await readAll(body);
      size = bytes.length;
      body = bytesToStream(bytes);
    }
    if (range) body = sliceStream(body, range.offset, range.length);
    return { ...metaOf(key, response.headers, size), body };
  }

  /** Not on HTTP: throws `ReadOnlyError`. */
  async put(
    key: string,
    _body?: Uint8Array | ReadableStream<Uint8Array>,
    _options?: BlobPutOptions,
  ): Promise<BlobMeta | null> {
    throw this.#readOnly(`put '${key}'`);
  }

  /** Not on HTTP: throws `ReadOnlyError`. */
  async delete(keys: string | string[]): Promise<void> {
    throw this.#readOnly(`delete '${typeof keys === "string" ? keys : keys.join("', '")}'`);
  }

  #readOnly(what: string): ReadOnlyError {
    return new ReadOnlyError(
      `Cannot ${what}: HttpBlobStore (${this.baseUrl}) is read-only (plain HTTP has GET and HEAD); write through the store the files were exported from, then export again (botknobs export)`,
    );
  }

  /**
   * A page of the keys {@link HTTP_LISTING_MANIFEST} names (its own key is not among them).
   * Throws `UnsupportedError` when the store has no manifest to read (`manifest: null`, or none
   * at the URL).
   */
  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const manifest = await this.#readManifest();
    const objects = new Map<string, BlobMeta>();
    const uploaded = new Date(manifest.exported_at ?? 0);
    for (const f of manifest.files)
      objects.set(f.key, {
        key: f.key,
        size: f.bytes,
        etag: `sha256:${f.sha256}`,
        uploaded,
        contentType: null,
      });
    const page = pageKeys(objects.keys(), options);
    return {
      objects: page.keys.map((k) => ({ ...(objects.get(k) as BlobMeta) })),
      prefixes: page.prefixes,
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    };
  }

  async #readManifest(): Promise<ListingManifest> {
    const key = this.#manifest;
    const cannot = `Cannot list ${this.baseUrl}: plain HTTP has no listing`;
    if (key === null)
      throw new UnsupportedError(
        `${cannot}, and this HttpBlobStore was given manifest: null. Serve a folder written by botknobs export (it writes ${HTTP_LISTING_MANIFEST}) and leave manifest unset`,
      );
    const body = await this.get(key);
    if (!body)
      throw new UnsupportedError(
        `${cannot}, and there is no ${key} at ${this.urlOf(key)}: serve a folder written by botknobs export, or give the key of its manifest as manifest`,
      );
    let manifest: ListingManifest;
    try {
      manifest = JSON.parse(new TextDecoder().decode(await readAll(body.body))) as ListingManifest;
    } catch (error) {
      throw new AdapterError(this.name, `${this.urlOf(key)} is not JSON`, { cause: error });
    }
    if (manifest?.format !== "botknobs.export" || !Array.isArray(manifest.files))
      throw new AdapterError(
        this.name,
        `${this.urlOf(key)} is not a botknobs export manifest (format "botknobs.export")`,
      );
    return manifest;
  }
}

function emptyStream(): ReadableStream<Uint8Array> {
  return bytesToStream(new Uint8Array(0));
}

function metaFromBody(body: BlobBody): BlobMeta {
  const { key, size, etag, uploaded, contentType } = body;
  return { key, size, etag, uploaded, contentType };
}
