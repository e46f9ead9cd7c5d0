/**
 * The event-bus suite over `SSEEventBus` against `createApp`'s `/events`, served by a runtime's
 * own server (a new one per case): each bus reads through a {@link networkFetch}, so its stream
 * arrives in TCP-segment pieces as over a real network (UTF-8 characters split between reads),
 * and the suite's `disconnect` drops it for real: the resume cases run (the server's event
 * history resumes a client by the last id it heard). The mutant kit runs it with a patched
 * `SSEEventBus` (test/mutants/adapter-mutants.test.ts).
 */
import { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import { type EventBus, InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { eventBusSuite, type TestHarness } from "../../src/testing/index.ts";
import { type NetworkFetch, networkFetch } from "../fixtures/network-fetch.ts";
import type { RuntimeServe, RuntimeServer } from "./http-served.ts";

/**
 * Registers the suite (in a describe of its own: its server hooks stay there).
 * @example
 * sseEventBusSuite(h, "node", (fetch) => listen({ fetch }));
 */
export function sseEventBusSuite(
  h: TestHarness,
  runtime: string,
  serve: RuntimeServe,
  SSE: typeof SSEEventBus = SSEEventBus,
): void {
  h.describe(`the SSE event stream on ${runtime}`, () => {
    let server: RuntimeServer | undefined;
    const opened: EventBus[] = [];
    const links = new WeakMap<EventBus, NetworkFetch>();
    const client = (topics?: string[]): EventBus => {
      const link = networkFetch();
      const bus = new SSE({
        baseUrl: (server as RuntimeServer).url,
        authToken: "rw",
        fetch: link.fetch,
        reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
        ...(topics ? { topics } : {}),
      });
      links.set(bus, link);
      opened.push(bus);
      return bus;
    };
    h.beforeEach(async () => {
      const bus = new InMemoryEventBus();
      const app = createApp({
        registry: new InMemoryBackend({ eventBus: bus }),
        eventBus: bus,
        auth: { tokens: ["rw"] },
        heartbeatSeconds: 1,
      });
      server = await serve((request) => app.fetch(request));
    });
    h.afterEach(async () => {
      for (const bus of opened.splice(0)) await bus.close();
      await server?.close();
    });
    eventBusSuite(h, {
      name: `SSEEventBus → createApp /events (${runtime})`,
      create: () => client(),
      createPeer: () => client(),
      // The server's event history resumes a client: the short-disconnect case runs (a restart
      // is a new server with an empty history, so the restart case does not).
      createFiltered: (topics) => client(topics),
      disconnect: (bus) => (links.get(bus) as NetworkFetch).drop(),
    });
  });
}
