/**
 * The WebSocket form of a `botknobs/server` event stream (`GET /events` with
 * `Upgrade: websocket`): one JSON text frame per message, told apart by `kind`.
 *
 * Server → client:
 * ```
 * {"kind":"ready","topics":["registry:*"]}        after subscribing
 * {"kind":"event","event":{"type":"updated","topic":"registry:bots",…}}
 * {"kind":"ping"}                                  heartbeat
 * {"kind":"pong"}                                  answer to a client ping
 * {"kind":"error","error":{"code":"VALIDATION","message":"…"}}
 * ```
 * Client → server: `{"kind":"ping"}` (browsers cannot send protocol-level pings). Events are
 * published with `POST /events`, as for Server-Sent Events.
 * @module
 */
import type { EventDict } from "./event.ts";

/** A frame the server sends. */
export type ServerFrame =
  | { kind: "ready"; topics: string[] }
  | { kind: "event"; event: EventDict }
  | { kind: "ping" }
  | { kind: "pong" }
  | { kind: "error"; error: { code: string; message: string } };

/** A frame the client sends. */
export type ClientFrame = { kind: "ping" };
