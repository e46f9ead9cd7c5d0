/**
 * {@link S3BlobStore}: a {@link BlobStore} over the S3 API — AWS S3, Cloudflare R2's S3 API,
 * MinIO and other compatible servers — with `fetch` and SigV4 only, so it runs on Node, Deno,
 * Bun, workerd and in browsers alike.
 * @module
 */
import {
  checkDeclaredSize,
  checkKeyBytes,
  checkPutSize,
  checkRange,
} from "../../core/blob/checks.ts";
import { countingStream } from "../../core/blob/counting-stream.ts";
import type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "../../core/blob/types.ts";
import { AdapterError, UnsupportedError, ValidationError } from "../../core/errors.ts";
import { checkNameBytes } from "../../core/knowledge/store/paths.ts";
import { readAll } from "../../core/util/streams.ts";
import { type BodySlice, sizedBody, verifiedBody } from "./s3-body.ts";
import { S3Client } from "./s3-client.ts";
import { multipartPut, S3_MIN_PART_BYTES } from "./s3-multipart.ts";
import { copySource, deleteKeys } from "./s3-objects.ts";
import { conditionalWritesOf } from "./s3-probe.ts";
import { field, parseError, parseList } from "./s3-xml.ts";

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A temporary credential's session token (STS). */
  sessionToken?: string;
  /**
   * The service's URL: `https://<account>.r2.cloudflarestorage.com` (R2),
   * `http://127.0.0.1:9000` (MinIO). Default: AWS, `https://s3.<region>.amazonaws.com`.
   */
  endpoint?: string;
  /** The signing region (default `us-east-1`; R2 takes `auto`). */
  region?: string;
  /**
   * Path-style URLs (`<endpoint>/<bucket>/<key>`) rather than virtual-hosted ones
   * (`<bucket>.<host>/<key>`). Default: path-style when an `endpoint` is given (R2, MinIO and
   * most servers take it), virtual-hosted on AWS.
   */
  pathStyle?: boolean;
  /**
   * Whether the server honours `If-Match`/`If-None-Match` on PUT (AWS since 2024, R2, recent
   * MinIO). Left out, `initialize()` finds out with a throw-away object under `.botknobs-probe/`
   * (once per process and bucket). Say `true` only for a server known to have them: one that
   * ignored them would let two writers overwrite each other.
   */
  conditionalWrites?: boolean;
  /** Retries of a request that can be sent again (default 3). */
  retries?: number;
  /**
   * The most UTF-8 bytes one `/`-separated part of a key may have on this server, where it keeps
   * objects as files (MinIO: 255); a longer part is a `ValidationError` before any request. Left
   * out: S3's own rule only (a key of at most 1,024 bytes).
   */
  maxNameBytes?: number;
  /**
   * A streamed upload longer than this goes up in parts of this size (S3's multipart upload),
   * one part in memory at a time (default and least: 5 MiB, S3's smallest part).
   */
  partBytes?: number;
}

/** S3's longest key, in UTF-8 bytes. */
export const S3_MAX_KEY_BYTES = 1024;
/** S3 lists and deletes at most this many keys per request. */
export const S3_MAX_KEYS_PER_CALL = 1000;

const nothing = (): ReadableStream<Uint8Array> => new Blob([]).stream();

function required(options: S3BlobStoreOptions, key: keyof S3BlobStoreOptions): string {
  const value = options?.[key];
  if (typeof value !== "string" || value === "")
    throw new ValidationError(`S3BlobStore needs options.${key} (a non-empty string)`, [
      { path: [key], message: "expected a non-empty string" },
    ]);
  return value;
}

/** The meta of an object from an answer's headers. */
function metaOf(key: string, headers: Headers, size: number): BlobMeta {
  const modified = headers.get("last-modified");
  return {
    key,
    size,
    etag: headers.get("etag") ?? "",
    uploaded: modified ? new Date(modified) : new Date(),
    contentType: null,
  };
}

/**
 * Objects in an S3 bucket. Each call is one signed request (a listing page, a batch of up to
 * 1,000 deletes), retried after 429/5xx answers where the request can be sent again.
 *
 * - **Uploads** of a known length (`options.size`, or a `Uint8Array`) stream: the body is never
 *   held whole. A stream of unknown length is read whole first (S3 needs the length up front).
 *   A PUT is committed whole or not at all, so an upload cut off leaves the old object.
 * - **Conditional writes** (`ifMatch`) map to `If-Match` / `If-None-Match: *`, checked by the
 *   server. `capabilities.conditionalPut` says whether the server has them (see
 *   `options.conditionalWrites`); without them a conditional put throws `UnsupportedError`, and
 *   the knowledge backend and the registry over the store need `singleWriter: true`.
 * - **Downloads** stream; a body that breaks off errors with an `AdapterError` naming the key.
 * - **Content types** are sent with each upload (for other tools reading the bucket) but not
 *   reported back (`capabilities.contentTypes: false`): a listing does not carry them.
 * - **Failures** are `AdapterError`s naming the operation, the key and S3's error code.
 * @example
 * const store = new S3BlobStore({
 *   bucket: "knowledge", endpoint: "https://<account>.r2.cloudflarestorage.com", region: "auto",
 *   accessKeyId: env.R2_KEY_ID, secretAccessKey: env.R2_SECRET,
 * });
 * const kb = new BlobKnowledgeBackend({ store });
 */
export class S3BlobStore implements BlobStore {
  readonly name: string = "s3";
  readonly #client: S3Client;
  readonly #probeKey: string;
  readonly #maxNameBytes: number | undefined;
  readonly #partBytes: number;
  #conditional: boolean | undefined;

  constructor(options: S3BlobStoreOptions) {
    const bucket = required(options, "bucket");
    const accessKeyId = required(options, "accessKeyId");
    const secretAccessKey = required(options, "secretAccessKey");
    const region = options.region ?? "us-east-1";
    const endpoint = (options.endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint))
      throw new ValidationError(`Invalid S3 endpoint ${JSON.stringify(endpoint)}`, [
        { path: ["endpoint"], message: "expected an http(s) URL" },
      ]);
    const retries = options.retries ?? 3;
    if (!(Number.isInteger(retries) && retries >= 0))
      throw new ValidationError(`Invalid retries ${retries}`, [
        { path: ["retries"], message: "expected an integer ≥ 0" },
      ]);
    this.#client = new S3Client({
      endpoint,
      region,
      bucket,
      accessKeyId,
      secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
      pathStyle: options.pathStyle ?? options.endpoint !== undefined,
      retries,
    });
    this.#conditional = options.conditionalWrites;
    const max = options.maxNameBytes;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1))
      throw new ValidationError(`Invalid maxNameBytes ${max}`, [
        { path: ["maxNameBytes"], message: "expected a positive integer" },
      ]);
    this.#maxNameBytes = max;
    const part = options.partBytes ?? S3_MIN_PART_BYTES;
    if (!(Number.isSafeInteger(part) && part >= S3_MIN_PART_BYTES))
      throw new ValidationError(`Invalid partBytes ${part}: at least ${S3_MIN_PART_BYTES}`, [
        { path: ["partBytes"], message: `an integer of at least ${S3_MIN_PART_BYTES}` },
      ]);
    this.#partBytes = part;
    this.#probeKey = `${endpoint} ${bucket} ${accessKeyId}`;
  }

  /**
   * `conditionalPut` is what the server was found (or declared) to honour; until `initialize()`
   * has found out, it reads `true` and a conditional put finds out before it writes.
   */
  get capabilities(): BlobStoreCapabilities {
    return {
      conditionalPut: this.#conditional ?? true,
      paginatedList: true,
      contentTypes: false,
      ...(this.#maxNameBytes === undefined ? {} : { maxNameBytes: this.#maxNameBytes }),
    };
  }

  async initialize(): Promise<void> {
    await this.#conditionalWrites();
  }

  async close(): Promise<void> {}

  /** Checks a key before any request: S3's limit, and the server's own per part if declared. */
  #check(key: string): void {
    checkKey(key);
    checkNameBytes(key, this.#maxNameBytes, "an object");
  }

  /** Whether the server honours conditional writes: declared, or found out once per bucket. */
  async #conditionalWrites(): Promise<boolean> {
    if (this.#conditional === undefined)
      this.#conditional = await conditionalWritesOf(this.#client, this.#probeKey);
    return this.#conditional;
  }

  async head(key: string): Promise<BlobMeta | null> {
    this.#check(key);
    const res = await this.#client.send(`head '${key}'`, { method: "HEAD", key, accept: [404] });
    if (res.status === 404) return null;
    return metaOf(key, res.headers, Number(res.headers.get("content-length") ?? 0));
  }

  async get(key: string, options: { range?: BlobRange } = {}): Promise<BlobBody | null> {
    this.#check(key);
    const { range } = options;
    checkRange(key, range);
    if (range?.length === 0) return this.#empty(key);
    const from = range?.offset ?? 0;
    const whole = from === 0 && range?.length === undefined;
    const last = range?.length === undefined ? "" : String(from + range.length - 1);
    const res = await this.#client.send(`get '${key}'`, {
      method: "GET",
      key,
      // S3 answers a range from the end of the object on with 416: an empty body.
      ...(whole ? {} : { headers: { range: `bytes=${from}-${last}` } }),
      accept: [404, 416],
    });
    if (res.status === 404) return null;
    if (res.status === 416) {
      await res.body?.cancel();
      return this.#empty(key);
    }
    const length = Number(res.headers.get("content-length") ?? 0);
    const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1];
    const size = res.status === 206 && total !== undefined ? Number(total) : length;
    // A server that ignored the Range header sent the whole object: hand on the range only.
    const slice: BodySlice | undefined =
      res.status === 200 && !whole
        ? { skip: from, take: Math.max(0, Math.min(range?.length ?? size, size - from)) }
        : undefined;
    const body = verifiedBody(key, res.body ?? nothing(), length, slice);
    return { ...metaOf(key, res.headers, size), body };
  }

  /** The object's meta with an empty body (an empty range), or null when it is missing. */
  async #empty(key: string): Promise<BlobBody | null> {
    const head = await this.head(key);
    return head === null ? null : { ...head, body: nothing() };
  }

  async put(
    key: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobMeta | null> {
    this.#check(key);
    checkDeclaredSize(options);
    const { ifMatch } = options;
    const conditional = ifMatch !== undefined;
    if (conditional && !(await this.#conditionalWrites()))
      throw new UnsupportedError(
        `put '${key}' has a precondition, and the S3 server of bucket '${this.#client.bucket}' does not honour If-Match/If-None-Match on writes (capabilities.conditionalPut is false): write without one, with singleWriter where only this process writes`,
      );
    const headers: Record<string, string> = {};
    if (options.contentType !== undefined) headers["content-type"] = options.contentType;
    if (ifMatch === null) headers["if-none-match"] = "*";
    else if (ifMatch !== undefined)
      headers["if-match"] = ifMatch.startsWith('"') ? ifMatch : `"${ifMatch}"`;
    const accept = conditional ? [404, 409, 412] : [];
    if (body instanceof Uint8Array || options.size === undefined) {
      const bytes = body instanceof Uint8Array ? body : await readAll(body);
      checkPutSize(key, options, bytes.length);
      const res = await this.#client.send(`put '${key}'`, {
        method: "PUT",
        key,
        headers,
        body: bytes,
        accept,
        once: conditional,
      });
      return this.#written(key, res, bytes.length);
    }
    // Streamed with its length known: counted, so a body of another length fails the upload;
    // longer than a part, in parts (one in memory at a time), else in one request.
    const counted = countingStream(body, options.size);
    try {
      if (options.size > this.#partBytes) {
        const done = await multipartPut(this.#client, {
          key,
          body: counted.stream,
          size: options.size,
          partBytes: this.#partBytes,
          headers: options.contentType === undefined ? {} : { "content-type": options.contentType },
          conditions: Object.fromEntries(
            Object.entries(headers).filter(([name]) => name !== "content-type"),
          ),
        });
        if (done.status !== 200) return null;
        return {
          key,
          size: options.size,
          etag: done.etag ?? (await this.head(key))?.etag ?? "",
          uploaded: done.date ? new Date(done.date) : new Date(),
          contentType: null,
        };
      }
      const sized = sizedBody(counted.stream, options.size);
      const res = await this.#client.send(`put '${key}'`, {
        method: "PUT",
        key,
        headers: { ...headers, ...sized.headers },
        body: sized.body,
        accept,
      });
      return this.#written(key, res, options.size);
    } catch (error) {
      // A body of the wrong length, or one that broke, failed the upload: nothing was written.
      const mismatch = counted.mismatch();
      if (mismatch !== undefined) checkPutSize(key, options, mismatch);
      if (counted.failure() !== undefined) throw counted.failure();
      throw error;
    }
  }

  /** The meta of a finished PUT, or null when its precondition failed. */
  async #written(key: string, res: Response, size: number): Promise<BlobMeta | null> {
    await res.body?.cancel();
    if (res.status === 404 || res.status === 409 || res.status === 412) return null;
    const etag = res.headers.get("etag");
    if (!etag) throw new AdapterError("s3", `put '${key}' failed: the answer carried no ETag`);
    const date = res.headers.get("date");
    return { key, size, etag, uploaded: date ? new Date(date) : new Date(), contentType: null };
  }

  /**
   * `CopyObject`: the bytes stay in the bucket. The source's etag is a precondition of the copy
   * (`x-amz-copy-source-if-match`), so the size returned is the copied object's.
   */
  async copy(from: string, to: string): Promise<BlobMeta | null> {
    this.#check(from);
    this.#check(to);
    const what = `copy '${from}' to '${to}'`;
    for (let attempt = 0; attempt < 5; attempt++) {
      const source = await this.head(from);
      if (source === null) return null;
      const res = await this.#client.send(what, {
        method: "PUT",
        key: to,
        headers: {
          "x-amz-copy-source": copySource(this.#client.bucket, from),
          "x-amz-copy-source-if-match": source.etag,
        },
        accept: [404, 412],
      });
      const text = await res.text();
      if (res.status === 412) continue; // the source changed since its head: again
      if (res.status === 404) {
        if ((await this.head(from)) === null) return null;
        throw new AdapterError(
          "s3",
          `${what} failed: the server did not find '${from}', which exists (it decodes x-amz-copy-source differently)`,
        );
      }
      // S3 may answer 200 and report the failure in the body.
      const { code, message } = parseError(text);
      if (code) throw new AdapterError("s3", `${what} failed: ${code}: ${message}`);
      const modified = field(text, "LastModified");
      return {
        key: to,
        size: source.size,
        etag: field(text, "ETag") ?? "",
        uploaded: modified ? new Date(modified) : new Date(),
        contentType: null,
      };
    }
    throw new AdapterError("s3", `${what} failed: the source kept changing`);
  }

  async delete(keys: string | string[]): Promise<void> {
    const all = typeof keys === "string" ? [keys] : keys;
    for (const key of all) this.#check(key);
    await deleteKeys(this.#client, all);
  }

  async list(options: BlobListOptions = {}): Promise<BlobList> {
    const { prefix, delimiter, cursor, limit } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1))
      throw new ValidationError(`Invalid limit ${limit}: expected a positive integer`, [
        { path: ["limit"], message: "expected a positive integer" },
      ]);
    const query: Record<string, string> = {
      "list-type": "2",
      "max-keys": String(Math.min(limit ?? S3_MAX_KEYS_PER_CALL, S3_MAX_KEYS_PER_CALL)),
    };
    if (prefix) query.prefix = prefix;
    if (delimiter) query.delimiter = delimiter;
    if (cursor) query["continuation-token"] = cursor;
    const res = await this.#client.send(`list '${prefix ?? ""}'`, { method: "GET", query });
    const page = parseList(await res.text());
    return {
      objects: page.objects.map((o) => ({
        key: o.key,
        size: o.size,
        etag: o.etag,
        uploaded: new Date(o.lastModified),
        contentType: null,
      })),
      prefixes: page.prefixes,
      ...(page.next === undefined ? {} : { cursor: page.next }),
    };
  }
}

/** S3 keys are non-empty and at most 1,024 UTF-8 bytes: checked before the request. */
function checkKey(key: string): void {
  checkKeyBytes(key, S3_MAX_KEY_BYTES, "S3");
}
