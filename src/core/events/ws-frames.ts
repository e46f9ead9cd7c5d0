/**
 * The WebSocket form of a `botknobs/server` event stream (`GET /events` with
 * `Upgrade: websocket`): one JSON text frame per message, told apart by `kind`.
 *
 * Server → client:
 * ```
 * {"kind":"ready","topics":["registry:*"],"resumed":false}   after subscribing
 * {"kind":"event","event":{"type":"updated","topic":"registry:bots",…}}
 * {"kind":"ping"}                                  heartbeat
 * {"kind":"pong"}                                  answer to a client ping
 * {"kind":"error","error":{"code":"VALIDATION","message":"…"}}
 * ```
 * Client → server: `{"kind":"ping"}` (browsers cannot send protocol-level pings). Events are
 * published with `POST /events`, as for Server-Sent Events. A reconnecting client passes the
 * last event id it saw as `?last_event_id=` to get what it missed first.
 * @module
 */
import type { EventDict } from "./event.ts";

/** A frame the server sends. */
export type ServerFrame =
  | {
      kind: "ready";
      topics: string[];
      /** True when the missed events (after `?last_event_id=`) were sent before this frame. */
      resumed?: boolean;
    }
  | { kind: "event"; event: EventDict }
  | { kind: "ping" }
  | { kind: "pong" }
  | { kind: "error"; error: { code: string; message: string } };

/** A frame the client sends. */
export type ClientFrame = { kind: "ping" };
