// Every request of the console goes through `api`: the bearer token kept in sessionStorage (asked
// for once, in a dialog, when the server answers 401), JSON in and out, and the API's error shape
// turned into an `ApiError` that views show as it is.
import { field, h } from "./dom.ts";

const TOKEN_KEY = "botknobs.token";
/** Dispatched on `window` when a token is kept. */
export const TOKEN_EVENT = "botknobs:token";

/** An error answer of the API: `{ error: { code, message, issues? } }`. */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The API's `error.code`. */
  readonly code: string;
  /** Validation issues (`path` and `message` each), when the server gave them. */
  readonly issues: { path: (string | number)[]; message: string }[];
  constructor(
    status: number,
    code: string,
    message: string,
    issues: { path: (string | number)[]; message: string }[] = [],
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/**
 * The token the console sends, if any.
 * @example
 * token(); // "s3cret" or null
 */
export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The request's URL: relative to the page, so a console mounted under a prefix still works. */
export function url(path: string): string {
  return new URL(path, document.baseURI).href;
}

/**
 * A path segment (bot id, domain, label) or a knowledge path (its `/` kept) for a URL.
 * @example
 * seg("a b"); // "a%20b"
 */
export function seg(value: string, keepSlashes = false): string {
  const encoded = encodeURIComponent(value);
  return keepSlashes ? encoded.replace(/%2F/gi, "/") : encoded;
}

let asking: Promise<void> | undefined;

/**
 * Asks for a token in a modal dialog (one at a time: requests that get a 401 meanwhile wait for
 * the same answer). Resolves once a token is kept; rejects when the dialog is dismissed.
 * @example
 * await askToken("This server needs a token");
 */
export function askToken(reason: string): Promise<void> {
  asking ??= new Promise<void>((resolve, reject) => {
    const input = h("input", {
      type: "password",
      name: "token",
      autocomplete: "off",
      required: true,
      spellcheck: "false",
    });
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", null, "Token needed"),
      h("p", null, reason),
      field("Bearer token", input, "Kept in this tab's session storage only."),
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary" }, "Use token"),
        h("button", { type: "button", value: "cancel", onclick: () => dialog.close() }, "Cancel"),
      ),
    );
    const dialog = h("dialog", { class: "token", "aria-labelledby": "token-title" }, form);
    form.querySelector("h2")?.setAttribute("id", "token-title");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      dialog.close("ok");
      dispatchEvent(new Event(TOKEN_EVENT));
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      asking = undefined;
      if (dialog.returnValue === "ok") resolve();
      else reject(new ApiError(401, "UNAUTHORIZED", "A token is needed: none was given"));
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/**
 * Forgets the kept token.
 * @example
 * forgetToken();
 */
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** `fetch`'s options, plus a JSON body and a bare header map. */
export interface ApiInit {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A request to the API with the kept token. A 401 asks for a token and tries again; any other
 * error answer is thrown as an {@link ApiError}.
 * @example
 * const res = await api("bots/support-bot", { method: "PUT", json: { config: {} } });
 */
export async function api(path: string, init: ApiInit = {}): Promise<Response> {
  for (;;) {
    const headers: Record<string, string> = { ...init.headers };
    const kept = token();
    if (kept) headers.authorization = `Bearer ${kept}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const res = await fetch(url(path), {
      method: init.method ?? "GET",
      // Never the browser's cache: a bot's ETag is its content's hash, so after a label move
      // (a new version, the same content) a revalidation answers 304 and the cache would serve
      // the previous version and labels.
      cache: "no-store",
      headers,
      ...(body === undefined ? {} : { body }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (res.status === 401) {
      await askToken(
        kept ? "The server refused the token given: enter another." : "This server needs a token.",
      );
      continue;
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const { error } = (await res.json()) as {
      error: { code: string; message: string; issues?: ApiError["issues"] };
    };
    return new ApiError(res.status, error.code, error.message, error.issues);
  } catch {
    return new ApiError(res.status, "HTTP", `${res.status} ${res.statusText}`);
  }
}

/**
 * The JSON answer of a request.
 * @example
 * const { items } = await json<{ items: Bot[] }>("bots");
 */
export async function json<T>(path: string, init?: ApiInit): Promise<T> {
  return (await (await api(path, init)).json()) as T;
}

/**
 * What an error says, for a status line: the API's message and its issues.
 * @example
 * status.say(explain(error), "error");
 */
export function explain(error: unknown): string {
  if (error instanceof ApiError) {
    const issues = error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    return [`${error.status} ${error.code}: ${error.message}`, ...issues].join(" · ");
  }
  return error instanceof Error ? error.message : String(error);
}
