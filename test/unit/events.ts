/**
 * Unit cases of `src/core/events/`: the event model, topic globs and the bus factory. Run on every
 * runtime by `test/unit/all.ts`.
 */
import {
  createEventBus,
  Event,
  EventType,
  InMemoryEventBus,
  matchTopic,
  SSEEventBus,
  ValidationError,
  WebSocketEventBus,
} from "../../src/index.ts";
import { type TestHarness, thrown } from "../../src/testing/index.ts";

/** Registers the cases with `h`. */
export function eventsUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`events model (${runtime})`, () => {
    it("Event - defaults, toDict/fromDict round trip, withCorrelation", () => {
      const e = new Event({
        type: EventType.UPDATED,
        topic: "registry:bots",
        payload: { bot_id: "b" },
      });
      expect(e.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect([e.source, e.correlationId]).toEqual([null, null]);
      const back = Event.fromDict(JSON.parse(JSON.stringify(e)));
      expect(back.toDict()).toEqual(e.toDict());
      const c = e.withCorrelation("c-1");
      expect([c.correlationId, c.eventId]).toEqual(["c-1", e.eventId]);
      expect(
        Event.fromDict({
          type: "created",
          topic: "t",
          timestamp: "2026-01-14T10:00:00.123456+00:00",
        }).timestamp.toISOString(),
      ).toBe("2026-01-14T10:00:00.123Z");
    });

    it("EventType - the seed's strings", () => {
      expect(Object.values(EventType)).toEqual([
        "created",
        "updated",
        "deleted",
        "activated",
        "deactivated",
        "error",
        "custom",
      ]);
    });

    it("globs - fnmatch semantics", () => {
      expect(matchTopic("registry:*", "registry:bots:x")).toBe(true);
      expect(matchTopic("registry:*", "other:registry:bots")).toBe(false);
      expect(matchTopic("kb:v?", "kb:v1")).toBe(true);
      expect(matchTopic("kb:[ab]", "kb:b")).toBe(true);
      expect(matchTopic("kb:[!ab]", "kb:b")).toBe(false);
      expect(matchTopic("a.b", "axb")).toBe(false);
      expect(matchTopic("Registry:*", "registry:x")).toBe(false);
    });

    it("createEventBus - memory by default; unknown backends and keys rejected", () => {
      expect(createEventBus({}) instanceof InMemoryEventBus).toBe(true);
      expect(createEventBus() instanceof InMemoryEventBus).toBe(true);
      const e = thrown(() => createEventBus({ backend: "kafka" })) as ValidationError;
      expect(e instanceof ValidationError).toBe(true);
      expect(e.message).toContain("memory");
      expect(
        thrown(() => createEventBus({ backend: "memory", host: "x" })) instanceof ValidationError,
      ).toBe(true);
    });

    it("createEventBus - sse and websocket: clients of a server, configured by the seed's keys", () => {
      const config = {
        base_url: "http://127.0.0.1:8787/",
        topics: ["registry:*"],
        auth_token: "t",
        timeout: 5,
      };
      const sse = createEventBus({ backend: "sse", ...config }) as SSEEventBus;
      expect(sse instanceof SSEEventBus).toBe(true);
      expect(sse.url).toBe("http://127.0.0.1:8787/events");
      const ws = createEventBus({ backend: "websocket", ...config, path: "/stream" });
      expect(ws instanceof WebSocketEventBus).toBe(true);
      expect((ws as WebSocketEventBus).url).toBe("http://127.0.0.1:8787/stream");
      for (const bad of [
        { backend: "sse" },
        { backend: "sse", base_url: "ftp://x" },
        { backend: "websocket", base_url: "http://x", topics: "registry:*" },
        { backend: "websocket", base_url: "http://x", channel: "c" },
      ])
        expect(thrown(() => createEventBus(bad)) instanceof ValidationError).toBe(true);
    });
  });
}
