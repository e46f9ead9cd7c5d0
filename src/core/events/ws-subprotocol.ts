/**
 * The bearer token of a browser's WebSocket, carried in a subprotocol. A page cannot set
 * `Authorization` on `new WebSocket(url)`, and a token in the URL ends up in access logs and
 * history; the one header a page controls is `Sec-WebSocket-Protocol`, so it offers
 * `botknobs.token.<token>` there (beside {@link EVENTS_SUBPROTOCOL}):
 *
 * ```ts
 * new WebSocket("wss://api.example/events", [EVENTS_SUBPROTOCOL, `botknobs.token.${token}`]);
 * ```
 *
 * The server checks the token as it checks `Authorization: Bearer`, and answers with the
 * subprotocol it selects ({@link selectSubprotocol}): `botknobs.events` when offered, so the
 * token is never echoed back; the token's own subprotocol only when nothing else was offered (a
 * browser that offered subprotocols refuses a handshake answering none).
 * @module
 */

/** The subprotocol a botknobs event stream answers with when the client offers it. */
export const EVENTS_SUBPROTOCOL = "botknobs.events";

/** The prefix of the subprotocol that carries a bearer token. */
export const TOKEN_SUBPROTOCOL_PREFIX = "botknobs.token.";

/** The subprotocols offered in a `Sec-WebSocket-Protocol` header (comma-separated tokens). */
export function offeredSubprotocols(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/**
 * The bearer token offered as `botknobs.token.<token>`, or `undefined` (none, or an empty one).
 * Only a WebSocket handshake may carry one: callers check `Upgrade: websocket` first.
 * @example
 * subprotocolToken("botknobs.events, botknobs.token.s3cret"); // "s3cret"
 */
export function subprotocolToken(header: string | null | undefined): string | undefined {
  for (const protocol of offeredSubprotocols(header))
    if (
      protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX) &&
      protocol.length > TOKEN_SUBPROTOCOL_PREFIX.length
    )
      return protocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  return undefined;
}

/**
 * The subprotocol to answer a handshake with: {@link EVENTS_SUBPROTOCOL} when offered, else the
 * first offered (the token's when it is the only one), or `null` when none was offered (then the
 * answer carries no `Sec-WebSocket-Protocol`).
 * @example
 * selectSubprotocol(["botknobs.token.s3cret", "botknobs.events"]); // "botknobs.events"
 */
export function selectSubprotocol(offered: Iterable<string>): string | null {
  let first: string | null = null;
  for (const protocol of offered) {
    if (protocol === EVENTS_SUBPROTOCOL) return protocol;
    first ??= protocol;
  }
  return first;
}
