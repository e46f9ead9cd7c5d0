/**
 * The WebSocket side of `GET /events` (frames: `botknobs/events`' `ServerFrame`): the runtime's
 * upgrade helper (Hono's `UpgradeWebSocket`) carries an {@link EventTap}.
 * @module
 */
import type { WSContext, WSEvents } from "hono/ws";
import { errorMessage } from "../core/errors.ts";
import type { EventBus } from "../core/events/types.ts";
import type { ServerFrame } from "../core/events/ws-frames.ts";
import { ApiErrorCode } from "./errors.ts";
import { EventTap, type Resume } from "./event-tap.ts";

// A client this far behind is cut off (it reconnects and resynchronises) rather than letting the
// socket's send buffer grow without bound.
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Close code 1013 ("try again later"): the client was too slow. */
const TRY_AGAIN_LATER = 1013;

/** Bytes queued on the socket, where the runtime says (`ws`, Deno, browsers; Bun by method). */
function buffered(raw: unknown): number {
  const socket = raw as { bufferedAmount?: unknown; getBufferedAmount?: () => number } | null;
  if (typeof socket?.bufferedAmount === "number") return socket.bufferedAmount;
  if (typeof socket?.getBufferedAmount === "function") return socket.getBufferedAmount();
  return 0;
}

/**
 * The socket's handlers for one client of `globs`.
 * @example
 * r.get("/", upgradeWebSocket(() => eventSocket(bus, ["*"], 15_000)));
 */
export function eventSocket(
  bus: EventBus,
  globs: string[],
  heartbeatMs: number,
  resume?: Resume,
): WSEvents {
  let tap: EventTap | undefined;
  const stop = (): void => tap?.stop();
  return {
    onOpen(_event, ws) {
      const send = (frame: ServerFrame): void => {
        if (tap?.stopped) return;
        try {
          if (buffered(ws.raw) > MAX_BUFFERED_BYTES) {
            stop();
            ws.close(TRY_AGAIN_LATER, "event stream consumer too slow");
            return;
          }
          ws.send(JSON.stringify(frame));
        } catch {
          // The socket closed under us; its close handler stops the tap.
          stop();
        }
      };
      tap = new EventTap(bus, globs, heartbeatMs, {
        event: (event) => send({ kind: "event", event: event.toDict() }),
        heartbeat: () => send({ kind: "ping" }),
      });
      tap.start(resume).then(
        (resumed) => send({ kind: "ready", topics: globs, resumed }),
        (error: unknown) => {
          send({
            kind: "error",
            error: {
              code: ApiErrorCode.ADAPTER,
              message: `subscribe failed: ${errorMessage(error)}`,
            },
          });
          stop();
          ws.close(1011, "subscribe failed");
        },
      );
    },
    onMessage(event, ws: WSContext) {
      let kind: unknown;
      try {
        kind = (JSON.parse(String(event.data)) as { kind?: unknown } | null)?.kind;
      } catch {
        kind = undefined;
      }
      const reply: ServerFrame =
        kind === "ping"
          ? { kind: "pong" }
          : {
              kind: "error",
              error: {
                code: ApiErrorCode.VALIDATION,
                message: 'Clients send only {"kind":"ping"}; publish with POST /events',
              },
            };
      try {
        ws.send(JSON.stringify(reply));
      } catch {
        stop();
      }
    },
    onClose: stop,
    onError: stop,
  };
}
