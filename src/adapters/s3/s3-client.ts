/**
 * {@link S3Client}: signed requests to an S3 API (AWS Signature Version 4 by `aws4fetch`, sent
 * with the runtime's `fetch`), retries where a request can be sent again, and failures turned
 * into `AdapterError`s that name what failed. Nothing runtime-specific: Node, Deno, Bun, workerd.
 * @module
 */
import { AwsV4Signer } from "aws4fetch";
import { AdapterError } from "../../core/errors.ts";
import { toHex } from "../../core/util/sha256.ts";
import { bytesToStream } from "../../core/util/streams.ts";
import { sleep } from "../../core/util/turns.ts";
import { sizedBody } from "./s3-body.ts";
import { parseError } from "./s3-xml.ts";

/** Where the bucket is and who signs: {@link S3BlobStore}'s options, resolved. */
export interface S3ClientOptions {
  /** The service's base URL, e.g. `https://s3.eu-west-1.amazonaws.com` (no trailing `/`). */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** `https://host/bucket/key` (true) or `https://bucket.host/key`. */
  pathStyle: boolean;
  /** Retries of a request that can be sent again (no streamed body, no precondition). */
  retries: number;
}

/** One request of the S3 API. */
export interface S3Request {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** The object's key; absent for a request on the bucket. */
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Statuses handed back rather than thrown (2xx always are). */
  accept?: readonly number[];
  /** Sent once only (a conditional write whose first try may have landed). */
  once?: boolean;
  /** Bytes in memory sent without their hash in the signature (`UNSIGNED-PAYLOAD`). */
  unsignedPayload?: boolean;
}

/** Bytes above which a body in memory is sent as a stream of views rather than copied. */
const LARGE_BODY = 1024 * 1024;

/** Statuses after which S3 asks for the request again. */
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Percent-encodes all but `A–Z a–z 0–9 - . _ ~` (RFC 3986), as SigV4 canonicalises. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A key as a URL path, each `/`-separated part encoded: the path sent is the path signed. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeRfc3986).join("/");
}

/** Signs and sends requests for one bucket. */
export class S3Client {
  readonly #options: S3ClientOptions;
  readonly #base: URL;

  constructor(options: S3ClientOptions) {
    this.#options = options;
    const base = new URL(options.endpoint);
    if (!options.pathStyle) base.hostname = `${options.bucket}.${base.hostname}`;
    this.#base = base;
  }

  /** The bucket's name. */
  get bucket(): string {
    return this.#options.bucket;
  }

  /** The URL of a key (or of the bucket), with a query. */
  url(key?: string, query: Record<string, string> = {}): string {
    const root = this.#base.pathname.replace(/\/$/, "");
    const bucket = this.#options.pathStyle ? `/${encodeKey(this.#options.bucket)}` : "";
    const path = key === undefined ? (bucket === "" ? "/" : bucket) : `${bucket}/${encodeKey(key)}`;
    const search = Object.entries(query)
      .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)
      .join("&");
    return `${this.#base.origin}${root}${path}${search ? `?${search}` : ""}`;
  }

  /**
   * Sends a request, signed. A status outside 2xx and `accept` is an `AdapterError` naming
   * `what`, with S3's error code; so is a network failure. A request without a streamed body or
   * a precondition is retried after 429 and 5xx answers and network failures.
   */
  async send(what: string, request: S3Request): Promise<Response> {
    const { body } = request;
    const replayable = !(body instanceof ReadableStream) && !request.once;
    const attempts = replayable ? this.#options.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.#fetch(request);
      } catch (error) {
        if (attempt < attempts) {
          await backoff(attempt);
          continue;
        }
        throw this.#failure(what, error);
      }
      if (response.ok || request.accept?.includes(response.status)) return response;
      if (attempt < attempts && RETRY_STATUSES.has(response.status)) {
        await response.body?.cancel();
        await backoff(attempt);
        continue;
      }
      throw await this.failed(what, response);
    }
  }

  async #fetch(request: S3Request): Promise<Response> {
    const { method, key, query, body } = request;
    const headers: Record<string, string> = { ...request.headers };
    // A body in memory is signed with its hash; a stream is sent as UNSIGNED-PAYLOAD.
    if (body instanceof Uint8Array && !request.unsignedPayload)
      headers["x-amz-content-sha256"] = toHex(
        new Uint8Array(await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>)),
      );
    const { accessKeyId, secretAccessKey, sessionToken, region } = this.#options;
    const signer = new AwsV4Signer({
      method,
      url: this.url(key, query),
      headers,
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
      service: "s3",
      region,
    });
    const signed = await signer.sign();
    let sent: BodyInit | undefined = body as BodyInit | undefined;
    // Large bytes (a part of a multipart upload) go as a stream of views of them: `fetch` would
    // copy a Uint8Array body whole first (the Fetch standard's "extract a body").
    if (body instanceof Uint8Array && body.byteLength > LARGE_BODY) {
      const sized = sizedBody(bytesToStream(body), body.byteLength);
      for (const [name, value] of Object.entries(sized.headers)) signed.headers.set(name, value);
      sent = sized.body as BodyInit;
    }
    return fetch(signed.url.toString(), {
      method,
      headers: signed.headers,
      ...(sent === undefined ? {} : { body: sent, duplex: "half" }),
    } as RequestInit);
  }

  /** The `AdapterError` of an answer that failed, with S3's code and message when it sent them. */
  async failed(what: string, response: Response): Promise<AdapterError> {
    const text = response.body === null ? "" : await response.text().catch(() => "");
    const { code, message } = parseError(text);
    const detail = code ? `${code}${message ? `: ${message}` : ""}` : response.statusText;
    const hint =
      code === "SignatureDoesNotMatch" || code === "InvalidAccessKeyId"
        ? " (check access_key_id, secret_access_key and region)"
        : "";
    return new AdapterError(
      "s3",
      `${what} failed: HTTP ${response.status} ${detail}${hint} (bucket '${this.bucket}')`,
    );
  }

  #failure(what: string, error: unknown): AdapterError {
    if (error instanceof AdapterError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const cause = (error as { cause?: { message?: string } })?.cause?.message;
    return new AdapterError(
      "s3",
      `${what} failed: ${message}${cause ? ` (${cause})` : ""} (bucket '${this.bucket}')`,
      { cause: error },
    );
  }
}

/** Waits before the next try: 100 ms, 200 ms, 400 ms… with jitter. */
function backoff(attempt: number): Promise<void> {
  return sleep(100 * 2 ** (attempt - 1) * (0.5 + Math.random()));
}
