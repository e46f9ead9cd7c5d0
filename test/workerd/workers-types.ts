// Type-level checks (compiled by `npm run check`, nothing to run): the Workers shapes that
// src/adapters/cloudflare declares by hand — so that its emitted types need no
// @cloudflare/workers-types in a user's project — are satisfied by the real Workers types.
import type {
  WebSocket as CfWebSocket,
  WebSocketPair as CfWebSocketPair,
} from "@cloudflare/workers-types";
import type { UpgradeWebSocket } from "hono/ws";
import type { upgradeWebSocket } from "../../src/adapters/cloudflare/cloudflare-websocket.ts";

type WorkerSocket = typeof upgradeWebSocket extends UpgradeWebSocket<infer T> ? T : never;

/** A Workers WebSocket is a WorkerSocket (a type error here if the hand-written shape drifts). */
export const socketFits = (socket: CfWebSocket): WorkerSocket => socket;
/** A WebSocketPair gives two of them. */
export const pairFits = (pair: InstanceType<typeof CfWebSocketPair>): WorkerSocket[] => [
  pair[0],
  pair[1],
];
