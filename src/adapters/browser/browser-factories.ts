/**
 * The seed's factories knowing the browser's types besides the core's: `createRegistryBackend(
 * "indexeddb")`, `createKnowledgeBackend("indexeddb")` and `createEventBus({ backend:
 * "broadcast-channel" })`. Keys are the seed's snake_case: `db_name` (default `"botknobs"`),
 * `history_limit`, `prefix`, `channel`, `replay_window`, `max_event_bytes`.
 * @module
 */
import * as z from "zod/mini";
import {
  coreEventBuses,
  createEventBus as createBusWith,
  type EventBusConfig,
} from "../../core/events/factory.ts";
import type { EventBus } from "../../core/events/types.ts";
import { BlobKnowledgeBackend } from "../../core/knowledge/store/blob-backend.ts";
import {
  coreKnowledgeBackends,
  createKnowledgeBackend as createKnowledgeWith,
} from "../../core/knowledge/store/factory.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import {
  coreRegistryBackends,
  createRegistryBackend as createRegistryWith,
} from "../../core/registry/factory.ts";
import { StoreRegistryBackend } from "../../core/registry/store-backend.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { IndexedDBBlobStore } from "./browser-blob-store.ts";
import type { BrowserDatabaseOptions } from "./browser-database.ts";
import { BroadcastChannelEventBus } from "./browser-event-bus.ts";
import { IndexedDBRecordStore } from "./browser-record-store.ts";

type Schema = z.ZodMiniType<Record<string, unknown>>;
const dbName = z.optional(z.string().check(z.minLength(1)));

const db = (config: Record<string, unknown>): BrowserDatabaseOptions =>
  config.db_name === undefined ? {} : { dbName: config.db_name as string };

/** The `indexeddb` registry backend: a `StoreRegistryBackend` over an `IndexedDBRecordStore`. */
export const browserRegistryBackends: FactoryTable<RegistryBackend> = {
  indexeddb: {
    schema: z.strictObject({
      db_name: dbName,
      history_limit: z.optional(z.int().check(z.minimum(1))),
    }) as unknown as Schema,
    create: (config) =>
      new StoreRegistryBackend({
        store: new IndexedDBRecordStore(db(config)),
        historyLimit: config.history_limit as number | undefined,
      }),
  },
};

/** The `indexeddb` knowledge backend: a `BlobKnowledgeBackend` over an `IndexedDBBlobStore`. */
export const browserKnowledgeBackends: FactoryTable<KnowledgeResourceBackend> = {
  indexeddb: {
    schema: z.strictObject({
      db_name: dbName,
      prefix: z.optional(z.string()),
    }) as unknown as Schema,
    create: (config) =>
      new BlobKnowledgeBackend({
        store: new IndexedDBBlobStore(db(config)),
        ...(config.prefix === undefined ? {} : { prefix: config.prefix as string }),
      }),
  },
};

/** The `broadcast-channel` event bus ({@link BroadcastChannelEventBus}). */
export const browserEventBuses: FactoryTable<EventBus> = {
  "broadcast-channel": {
    schema: z.strictObject({
      db_name: dbName,
      channel: z.optional(z.string().check(z.minLength(1))),
      replay_window: z.optional(z.int().check(z.minimum(1))),
      max_event_bytes: z.optional(z.int().check(z.minimum(256))),
    }) as unknown as Schema,
    create: (config) =>
      new BroadcastChannelEventBus({
        ...db(config),
        ...(config.channel === undefined ? {} : { channel: config.channel as string }),
        ...(config.replay_window === undefined
          ? {}
          : { replayWindow: config.replay_window as number }),
        ...(config.max_event_bytes === undefined
          ? {}
          : { maxEventBytes: config.max_event_bytes as number }),
      }),
  },
};

/**
 * `createRegistryBackend` knowing `memory`, `http` and `indexeddb`.
 * @example
 * const registry = createRegistryBackend("indexeddb", { db_name: "my-app" });
 * await registry.initialize();
 */
export function createRegistryBackend(
  type: string,
  config: Record<string, unknown> = {},
): RegistryBackend {
  return createRegistryWith(type, config, { ...coreRegistryBackends, ...browserRegistryBackends });
}

/**
 * `createKnowledgeBackend` knowing `memory` and `indexeddb`.
 * @example
 * const knowledge = createKnowledgeBackend("indexeddb", { db_name: "my-app" });
 */
export function createKnowledgeBackend(
  type: string,
  config: Record<string, unknown> = {},
): KnowledgeResourceBackend {
  return createKnowledgeWith(type, config, {
    ...coreKnowledgeBackends,
    ...browserKnowledgeBackends,
  });
}

/**
 * `createEventBus` knowing `memory`, `sse`, `websocket` and `broadcast-channel`.
 * @example
 * const bus = createEventBus({ backend: "broadcast-channel", channel: "my-app" });
 * await bus.connect();
 */
export function createEventBus(config: EventBusConfig = {}): EventBus {
  return createBusWith(config, { ...coreEventBuses, ...browserEventBuses });
}
