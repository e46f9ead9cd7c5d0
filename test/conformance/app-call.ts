/**
 * One request through a Hono app's `app.request`, as the HTTP conformance cases make it: a body
 * given is sent as JSON (a string as it is), a token as a bearer, and the answer's body parsed
 * (`undefined` when empty). Shared by http-labels.ts, http-label-etags.ts and
 * http-pinned-knowledge.ts.
 */
import type { Hono } from "hono";

/** An answer: its status, headers and parsed body. */
export interface AppAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends `method path` to `app` with an optional JSON `body`, bearer `token` and extra `headers`. */
export async function appCall<T>(
  app: Hono,
  method: string,
  path: string,
  {
    body,
    headers = {},
    token,
  }: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
): Promise<AppAnswer<T>> {
  const res = await app.request(`http://botknobs.test${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
