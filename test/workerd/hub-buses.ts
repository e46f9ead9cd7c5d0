/**
 * Buses over an EventHub namespace for the event-bus suite, with the resume hooks it takes: each
 * bus talks to the hub through its own link, which knows the bus's sockets (to drop them, as a
 * network failure would) and can hold the bus's reconnection until released. Used for the real
 * hub (durable-object-bus.test.ts) and for the mutant hubs (hub-mutants.test.ts).
 */
import { abortAllDurableObjects } from "cloudflare:test";
import { DurableObjectEventBus, REPLAY_WINDOW } from "../../src/adapters/durable-object/index.ts";
import type { EventHubNamespace } from "../../src/adapters/durable-object/types.ts";
import type { EventBus } from "../../src/index.ts";
import type { EventBusSuiteOptions } from "../../src/testing/index.ts";

interface Link {
  sockets: WebSocket[];
  hold: Promise<void> | null;
}

/**
 * Buses on the hub `name()` of `namespace`, each through its own link, and the event-bus suite's
 * options over them (`create`, a peer, a bus filtered by topics, `disconnect`, `restart`).
 * @example
 * const hub = hubBuses(env.EVENTS, () => hubName);
 * conformance(h, { name: "hub", eventBus: hub.suiteOptions });
 */
export function hubBuses(
  namespace: EventHubNamespace,
  name: () => string,
  Bus: typeof DurableObjectEventBus = DurableObjectEventBus,
): {
  bus(topics?: string[]): DurableObjectEventBus;
  closeAll(): Promise<void>;
  suiteOptions: Omit<EventBusSuiteOptions, "name">;
} {
  const links = new WeakMap<EventBus, Link>();
  const opened: DurableObjectEventBus[] = [];
  const bus = (topics?: string[]): DurableObjectEventBus => {
    const link: Link = { sockets: [], hold: null };
    const linked: EventHubNamespace = {
      idFromName: (n) => namespace.idFromName(n),
      get: (id) => {
        const stub = namespace.get(id);
        return {
          fetch: async (request: Request) => {
            if (request.headers.get("upgrade") && link.hold) await link.hold;
            const response = (await stub.fetch(request as never)) as Response & {
              webSocket?: WebSocket | null;
            };
            if (response.webSocket) link.sockets.push(response.webSocket);
            return response;
          },
        } as unknown as ReturnType<EventHubNamespace["get"]>;
      },
    };
    const created = new Bus({
      namespace: linked,
      name: name(),
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      ...(topics ? { topics } : {}),
    });
    links.set(created, link);
    opened.push(created);
    return created;
  };
  /** Closes the bus's sockets from its side and waits until each is closed both ways. */
  const disconnect = async (of: EventBus): Promise<() => void> => {
    const link = links.get(of);
    if (!link) throw new Error("disconnect: not a bus of this hub");
    let release = (): void => {};
    link.hold = new Promise<void>((r) => {
      release = r;
    });
    const sockets = link.sockets.splice(0);
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((closed) => {
            if (socket.readyState === WebSocket.CLOSED) return closed();
            socket.addEventListener("close", () => closed());
            try {
              socket.close(1001, "network gone");
            } catch {
              closed();
            }
          }),
      ),
    );
    return () => {
      link.hold = null;
      release();
    };
  };
  return {
    bus,
    closeAll: async () => {
      for (const b of opened.splice(0)) await b.close();
    },
    suiteOptions: {
      create: () => bus(),
      createPeer: () => bus(),
      createFiltered: (topics) => bus(topics),
      disconnect,
      restart: () => abortAllDurableObjects(),
      replayWindow: REPLAY_WINDOW,
    },
  };
}
