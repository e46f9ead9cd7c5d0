/**
 * The WebSocket side of `GET /events` (frames: `botknobs/events`' `ServerFrame`): the runtime's
 * upgrade helper (Hono's `UpgradeWebSocket`) carries an {@link EventTap}.
 * @module
 */
import type { WSContext, WSEvents } from "hono/ws";
import { errorMessage } from "../core/errors.ts";
import type { EventBus } from "../core/events/types.ts";
import type { ServerFrame } from "../core/events/ws-frames.ts";
import type { ServerContext } from "./context.ts";
import { ApiErrorCode } from "./errors.ts";
import { socketFrame, socketFrameBytes, utf8Length } from "./event-frames.ts";
import { EventTap, type Resume } from "./event-tap.ts";

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
 * The socket's handlers for one client of `globs`. A client more than `ctx.maxQueuedBytes`
 * behind (bytes the socket has not sent yet) is closed with 1013 and resumes later by id.
 * @example
 * r.get("/", upgradeWebSocket(() => eventSocket(bus, ["*"], ctx)));
 */
export function eventSocket(
  bus: EventBus,
  globs: string[],
  ctx: Pick<ServerContext, "heartbeatMs" | "maxQueuedBytes">,
  resume?: Resume,
): WSEvents {
  let tap: EventTap | undefined;
  const stop = (): void => tap?.stop();
  return {
    onOpen(_event, ws) {
      // `bytes`: the frame's UTF-8 size when known (an event's, worked out once for all clients).
      const send = (frame: ServerFrame | string, bytes?: number): void => {
        if (tap?.stopped) return;
        try {
          const text = typeof frame === "string" ? frame : JSON.stringify(frame);
          const queued = buffered(ws.raw);
          if (queued > 0 && queued + (bytes ?? utf8Length(text)) > ctx.maxQueuedBytes) {
            stop();
            ws.close(TRY_AGAIN_LATER, "event stream consumer too slow");
            // A client that reads nothing never reads the close frame either: drop the socket
            // and what it holds soon after, where the runtime can (`ws`: terminate).
            const raw = ws.raw as { terminate?: () => void } | undefined;
            if (typeof raw?.terminate === "function") setTimeout(() => raw.terminate?.(), 1000);
            return;
          }
          ws.send(text);
        } catch {
          // The socket closed under us; its close handler stops the tap.
          stop();
        }
      };
      tap = new EventTap(bus, globs, ctx.heartbeatMs, {
        event: (event) => send(socketFrame(event), socketFrameBytes(event)),
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
