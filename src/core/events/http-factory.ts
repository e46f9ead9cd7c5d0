/**
 * The remote types of `createEventBus`: `{ backend: "sse" | "websocket", base_url, … }`, event
 * buses over a `botknobs/server` app's `/events`, with the same configuration keys as the
 * `http` registry type.
 * @module
 */
import * as z from "zod/mini";
import { type FactoryEntry, type FactoryTable, renameKeys } from "../util/factory.ts";
import type { RemoteEventBusOptions } from "./remote-bus.ts";
import { SSEEventBus } from "./sse-bus.ts";
import type { EventBus } from "./types.ts";
import { WebSocketEventBus } from "./ws-bus.ts";

const schema = z.strictObject({
  base_url: z.string().check(z.regex(/^https?:\/\/\S+$/i, "expected an http(s) URL")),
  path: z.optional(z.string()),
  topics: z.optional(z.array(z.string().check(z.minLength(1)))),
  auth_token: z.optional(z.string()),
  auth_header: z.optional(z.string()),
  timeout: z.optional(z.number().check(z.positive())),
  idle_timeout: z.optional(z.number().check(z.positive())),
});

const names = {
  base_url: "baseUrl",
  path: "path",
  topics: "topics",
  auth_token: "authToken",
  auth_header: "authHeader",
  timeout: "timeout",
  idle_timeout: "idleTimeout",
};
const options = (config: Record<string, unknown>): RemoteEventBusOptions =>
  renameKeys<RemoteEventBusOptions>(config, names);

const checked = schema as unknown as z.ZodMiniType<Record<string, unknown>>;

/**
 * The event-bus types over HTTP: `sse` ({@link SSEEventBus}) and `websocket`
 * ({@link WebSocketEventBus}, with the global `WebSocket`). Keys: `base_url` (required), `path`,
 * `topics`, `auth_token`, `auth_header`, `timeout`, `idle_timeout` (seconds).
 * @example
 * const bus = createEventBus({ backend: "sse", base_url: "http://127.0.0.1:8787" });
 */
export const httpEventBuses: FactoryTable<EventBus> = {
  sse: { schema: checked, create: (config) => new SSEEventBus(options(config)) },
  websocket: { schema: checked, create: (config) => new WebSocketEventBus(options(config)) },
} satisfies Record<string, FactoryEntry<EventBus>>;
