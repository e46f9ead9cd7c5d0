/**
 * Bearer-token authentication: read-write and read-only tokens, compared in constant time
 * (both sides hashed with SHA-256, then every digest compared in full, without early exit).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { Sha256 } from "../core/util/sha256.ts";
import { header } from "./context.ts";
import { ApiError, ApiErrorCode } from "./errors.ts";

/** Tokens accepted by the API. With none configured, the API is open. */
export interface AuthOptions {
  /** Tokens that may read and write. */
  tokens?: string[];
  /** Tokens that may only read (GET, HEAD): a write with one is a 403. */
  readOnlyTokens?: string[];
}

/** What a request may do. */
export type Access = "read" | "write";

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

/**
 * The access a presented token grants: `"write"`, `"read"`, or `null` when it matches no
 * configured token. Every configured digest is compared, whatever matches first.
 * @example
 * const check = tokenChecker({ tokens: ["rw"], readOnlyTokens: ["ro"] });
 * check("ro"); // "read"
 */
export function tokenChecker(auth: AuthOptions): (token: string) => Access | null {
  const configured = [
    ...(auth.tokens ?? []).map((t) => ({ access: "write" as Access, hash: digest(t) })),
    ...(auth.readOnlyTokens ?? []).map((t) => ({ access: "read" as Access, hash: digest(t) })),
  ];
  return (token) => {
    const hash = digest(token);
    let granted: Access | null = null;
    for (const entry of configured) {
      // No early exit: the time taken does not depend on which token (if any) matched.
      if (sameDigest(hash, entry.hash) && granted !== "write") granted = entry.access;
    }
    return granted;
  };
}

/**
 * Middleware that requires `Authorization: Bearer <token>` on every request when tokens are
 * configured: none or an unknown one → 401 with `WWW-Authenticate: Bearer`; a read-only token
 * on anything but GET/HEAD/OPTIONS → 403.
 * @example
 * app.use("*", bearerAuth({ tokens: [env.API_TOKEN] }));
 */
export function bearerAuth(auth: AuthOptions): MiddlewareHandler {
  const check = tokenChecker(auth);
  return async (c, next) => {
    const presented = header(c, "authorization");
    const match = presented ? /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(presented) : null;
    if (!presented) {
      throw new ApiError(401, ApiErrorCode.UNAUTHORIZED, "Missing bearer token", {
        "WWW-Authenticate": REALM,
      });
    }
    const access = match ? check(match[1] as string) : null;
    if (access === null) {
      throw new ApiError(401, ApiErrorCode.UNAUTHORIZED, "Invalid bearer token", {
        "WWW-Authenticate": `${REALM}, error="invalid_token"`,
      });
    }
    if (access === "read" && !READ_METHODS.has(c.req.method)) {
      throw new ApiError(403, ApiErrorCode.FORBIDDEN, "This token may only read", {
        "WWW-Authenticate": `${REALM}, error="insufficient_scope"`,
      });
    }
    await next();
  };
}
