/**
 * The HTTP side of {@link BrowserSync}: requests to a botknobs server (`botknobs/server` or the
 * Worker), with its bearer token, telling "unreachable" (offline) apart from an answer.
 * @module
 */
import { AdapterError, errorMessage } from "../../core/errors.ts";

/** The server could not be reached (no network, refused, DNS): the sync goes offline. */
export class UnreachableError extends AdapterError {
  static override readonly kind: string = "UnreachableError";
  constructor(url: string, cause: unknown) {
    super("browser-sync", `${url} is unreachable: ${errorMessage(cause)}`, { cause });
  }
}

/** How the sync reaches its server. */
export interface SyncHttpOptions {
  /** The server's base URL (`https://bots.example.com`, or with a path prefix). */
  baseUrl: string;
  /** A bearer token, sent as `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** Requests against one server: `get("kb")`, with the token and the caller's signal. */
export class SyncHttp {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(options: SyncHttpOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#headers = options.authToken ? { authorization: `Bearer ${options.authToken}` } : {};
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The URL of `path` (segments already encoded). */
  url(path: string): string {
    return `${this.#base}/${path}`;
  }

  /**
   * `GET path`: the response for any status in `expect` (default 200), else an `AdapterError`
   * naming the status; {@link UnreachableError} when no answer came. An abort rethrows as is.
   */
  async get(
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    expect: number[] = [200],
  ): Promise<Response> {
    const url = this.url(path);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        headers: { ...this.#headers, ...headers },
        cache: "no-store",
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw new UnreachableError(url, error);
    }
    if (!expect.includes(response.status)) {
      const body = await response.text().catch(() => "");
      throw new AdapterError(
        "browser-sync",
        `GET ${url} answered ${response.status}: ${body.slice(0, 200)}`,
      );
    }
    return response;
  }

  /** `GET path` as JSON. */
  async json<T>(path: string, signal: AbortSignal | undefined): Promise<T> {
    const response = await this.get(path, {}, signal);
    try {
      return (await response.json()) as T;
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw new UnreachableError(this.url(path), error);
    }
  }
}
