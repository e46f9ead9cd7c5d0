/**
 * What the HTTP clients (`HTTPRegistryBackend`, the SSE and WebSocket event buses) share:
 * authentication headers from the seed's `auth_token` / `auth_header` pair, and JSON requests
 * with a timeout whose failures become botknobs errors. Neither registry nor events: both use it.
 * @module
 */
import { AdapterError, errorMessage, HttpError } from "../errors.ts";

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The headers to send. `authHeader` is a header name for `authToken` (`"X-API-Key"`); when it
 * is not a valid header name it is a whole `Authorization` value (`"Bearer token123"`, as in
 * the seed's example). A token alone goes as `Authorization: Bearer <token>`.
 * @example
 * httpAuthHeaders({ authHeader: "Bearer token123" }); // { authorization: "Bearer token123" }
 * httpAuthHeaders({ authToken: "k", authHeader: "X-API-Key" }); // { "X-API-Key": "k" }
 */
export function httpAuthHeaders(options: {
  authToken?: string | undefined;
  authHeader?: string | undefined;
}): Record<string, string> {
  const { authHeader, authToken } = options;
  if (authHeader !== undefined && !HEADER_NAME.test(authHeader))
    return { authorization: authHeader };
  if (authToken === undefined) return {};
  const name = authHeader ?? "authorization";
  const bearer = name.toLowerCase() === "authorization" && !/\s/.test(authToken.trim());
  return { [name]: bearer ? `Bearer ${authToken}` : authToken };
}

/** Options of {@link HttpJson}. */
export interface HttpJsonOptions {
  fetch: typeof fetch;
  /** Sent with every request (authentication). */
  headers: Record<string, string>;
  /** Seconds per request. */
  timeout: number;
}

/**
 * JSON over `fetch`: network failures and timeouts are `AdapterError`, error statuses
 * `HttpError` (with the body's text), unparsable answers `AdapterError`.
 * @example
 * const http = new HttpJson({ fetch, headers: httpAuthHeaders({ authToken }), timeout: 30 });
 * const res = await http.request("GET", "https://bots.example.com/bots");
 * if (!res.ok) await http.fail(res, "GET", res.url);
 */
export class HttpJson {
  readonly #options: HttpJsonOptions;

  constructor(options: HttpJsonOptions) {
    this.#options = options;
  }

  /** One request with a JSON body (when given) and the timeout. */
  async request(
    method: string,
    url: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const { fetch, timeout } = this.#options;
    const headers: Record<string, string> = { ...this.#options.headers, ...init.headers };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetch(url, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(timeout * 1000),
      });
    } catch (error) {
      const timedOut = (error as { name?: string })?.name === "TimeoutError";
      throw new AdapterError(
        "http",
        timedOut
          ? `${method} ${url} timed out after ${timeout} s`
          : `${method} ${url} failed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /** Throws the `HttpError` for a failed response, with its status and body text. */
  async fail(response: Response, method: string, url: string): Promise<never> {
    const text = await response.text().catch(() => "");
    throw new HttpError(
      response.status,
      `${method} ${url} answered ${response.status}${text ? `: ${text.slice(0, 2000)}` : ""}`,
    );
  }

  /** The body as JSON; anything else (a proxy's HTML page, a cut connection) is an `AdapterError`. */
  async json<T>(response: Response): Promise<T> {
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw new AdapterError("http", `${response.url || "response"}: malformed JSON`, {
        cause: error,
      });
    }
  }
}
