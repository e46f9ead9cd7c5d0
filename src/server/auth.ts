/**
 * Bearer-token authentication: read-write and read-only tokens, compared in constant time
 * (both sides hashed with SHA-256, then every digest compared in full, without early exit).
 * Each token has a name — the actor the audit trail records for its writes (never the token) —
 * and may hold the right to move protected labels.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { subprotocolToken } from "../core/events/ws-subprotocol.ts";
import { MAX_ACTOR_CHARS } from "../core/registry/record-ext.ts";
import { Sha256 } from "../core/util/sha256.ts";
import { header } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";

/**
 * A token with a name: the actor of its writes in the audit trail (1–256 characters).
 * @example
 * const ci: NamedToken = { name: "ci-deploy", token: env.CI_TOKEN, protectedLabels: true };
 */
export interface NamedToken {
  name: string;
  token: string;
  /** May move protected labels (`production`) without an `If-Match` (read-write tokens only). */
  protectedLabels?: boolean;
}

/**
 * Tokens accepted by the API. With none configured, the API is open. A plain string token is
 * named by its place: `token-1`, `token-2`, … and `read-token-1`, … for read-only ones.
 */
export interface AuthOptions {
  /** Tokens that may read and write. */
  tokens?: (string | NamedToken)[];
  /** Tokens that may only read (GET, HEAD): a write with one is a 403. */
  readOnlyTokens?: (string | NamedToken)[];
}

/** What a request may do. */
export type Access = "read" | "write";

/** Who a request's token says it is. */
export interface Principal {
  /** The token's name: the actor of its writes. */
  name: string;
  access: Access;
  /** May move protected labels without an `If-Match`. */
  protectedLabels: boolean;
}

const REALM = 'Bearer realm="botknobs"';
const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

// The library's synchronous SHA-256: for a short token it takes ~2 µs, where a Web Crypto
// `digest` round trip costs ~30 µs on Node (it halved the throughput of authenticated reads).
// Its running time depends on the input's length only, not on its content.
const encoder = new TextEncoder();

function digest(text: string): Uint8Array {
  return new Sha256().update(encoder.encode(text)).digest();
}

/** Equal-length digests compared without an early exit. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * True when `auth` configures at least one token.
 * @example
 * authEnabled({ readOnlyTokens: ["r"] }); // true
 */
export function authEnabled(auth: AuthOptions | undefined): boolean {
  return (auth?.tokens?.length ?? 0) + (auth?.readOnlyTokens?.length ?? 0) > 0;
}

/** A configured token, checked: its principal and the digest to compare. */
function configured(
  entry: string | NamedToken,
  access: Access,
  place: number,
): { principal: Principal; hash: Uint8Array } {
  const named = typeof entry === "string" ? undefined : entry;
  const token = named ? named.token : entry;
  if (typeof token !== "string" || token === "")
    throw badInput("auth", `token ${place} of the ${access} tokens is not a non-empty string`);
  const name = named?.name ?? `${access === "write" ? "token" : "read-token"}-${place}`;
  if (typeof name !== "string" || name.length < 1 || name.length > MAX_ACTOR_CHARS)
    throw badInput("auth", `the name of token ${place} must be 1–${MAX_ACTOR_CHARS} characters`);
  return {
    principal: { name, access, protectedLabels: access === "write" && !!named?.protectedLabels },
    hash: digest(token as string),
  };
}

/**
 * Who a presented token is (its name, access and rights), or `null` when it matches no
 * configured token. Every configured digest is compared, whatever matches first; a token given
 * as both read-write and read-only is read-write. Bad configuration: `ValidationError`.
 * @example
 * const check = principalChecker({ tokens: [{ name: "ci", token: "rw" }] });
 * check("rw"); // { name: "ci", access: "write", protectedLabels: false }
 */
export function principalChecker(auth: AuthOptions): (token: string) => Principal | null {
  const entries = [
    ...(auth.tokens ?? []).map((t, i) => configured(t, "write", i + 1)),
    ...(auth.readOnlyTokens ?? []).map((t, i) => configured(t, "read", i + 1)),
  ];
  return (token) => {
    const hash = digest(token);
    let granted: Principal | null = null;
    for (const entry of entries) {
      // No early exit: the time taken does not depend on which token (if any) matched.
      if (sameDigest(hash, entry.hash) && granted?.access !== "write") granted = entry.principal;
    }
    return granted;
  };
}

/**
 * The access a presented token grants: `"write"`, `"read"`, or `null` when it matches no
 * configured token (see {@link principalChecker}).
 * @example
 * const check = tokenChecker({ tokens: ["rw"], readOnlyTokens: ["ro"] });
 * check("ro"); // "read"
 */
export function tokenChecker(auth: AuthOptions): (token: string) => Access | null {
  const check = principalChecker(auth);
  return (token) => check(token)?.access ?? null;
}

// The principal of each authenticated request (keyed by the request, so nothing leaks between them).
const principals = new WeakMap<Request, Principal>();

/**
 * The principal `bearerAuth` found for this request; `undefined` when the API is open.
 * @example
 * const actor = principalOf(c)?.name ?? "anonymous";
 */
export function principalOf(c: Context): Principal | undefined {
  return principals.get(c.req.raw);
}

/** `Bearer <token>` from a WebSocket handshake's `botknobs.token.<token>` subprotocol. */
function socketToken(c: Context): string | undefined {
  if (header(c, "upgrade")?.toLowerCase() !== "websocket") return undefined;
  const token = subprotocolToken(header(c, "sec-websocket-protocol"));
  return token === undefined ? undefined : `Bearer ${token}`;
}

/**
 * Middleware that requires `Authorization: Bearer <token>` on every request when tokens are
 * configured: none or an unknown one → 401 with `WWW-Authenticate: Bearer`; a read-only token
 * on anything but GET/HEAD/OPTIONS → 403. A WebSocket handshake (which a browser cannot give an
 * `Authorization`) may instead offer the subprotocol `botknobs.token.<token>`
 * (see `ws-subprotocol.ts`); the token is never read from the URL.
 * @example
 * app.use("*", bearerAuth({ tokens: [env.API_TOKEN] }));
 */
export function bearerAuth(auth: AuthOptions): MiddlewareHandler {
  const check = principalChecker(auth);
  return async (c, next) => {
    const presented = header(c, "authorization") ?? socketToken(c);
    const match = presented ? /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(presented) : null;
    if (!presented) {
      throw new ApiError(401, ApiErrorCode.UNAUTHORIZED, "Missing bearer token", {
        "WWW-Authenticate": REALM,
      });
    }
    const principal = match ? check(match[1] as string) : null;
    if (principal === null) {
      throw new ApiError(401, ApiErrorCode.UNAUTHORIZED, "Invalid bearer token", {
        "WWW-Authenticate": `${REALM}, error="invalid_token"`,
      });
    }
    if (principal.access === "read" && !READ_METHODS.has(c.req.method)) {
      throw new ApiError(403, ApiErrorCode.FORBIDDEN, "This token may only read", {
        "WWW-Authenticate": `${REALM}, error="insufficient_scope"`,
      });
    }
    principals.set(c.req.raw, principal);
    await next();
  };
}
