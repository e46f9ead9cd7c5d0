/**
 * Unit cases of the registry, runnable on every runtime through the harness: the seed's
 * `DataKnobsRegistryAdapter` forms, and `HTTPRegistryBackend` against servers that answer
 * `GET /bots` the seed's way (a plain array, or `{ configs }`).
 */
import {
  createRegistryBackend,
  DataKnobsRegistryAdapter,
  HTTPRegistryBackend,
  MemoryRecordStore,
  type RegistrationDict,
  StoreRegistryBackend,
  ValidationError,
} from "../../src/index.ts";
import { expectRejects, type TestHarness, thrown } from "../../src/testing/index.ts";

function seedItem(id: string, status = "active"): Partial<RegistrationDict> {
  // The seed's wire form: no version, etag or metadata; `+00:00` offsets.
  return {
    bot_id: id,
    config: { id },
    status,
    created_at: "2026-01-14T10:00:00.123456+00:00",
    updated_at: "2026-01-14T10:00:00.123456+00:00",
    last_accessed_at: "2026-01-14T10:00:00.123456+00:00",
  };
}

/** A `fetch` that answers `GET <base>/bots` with `body()` and counts the calls. */
function seedServer(body: () => unknown): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    urls.push(`${init?.method ?? "GET"} ${url}`);
    if ((init?.method ?? "GET") === "HEAD") return new Response(null, { status: 200 });
    return new Response(JSON.stringify(body()), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }) as typeof globalThis.fetch;
  return { fetch, urls };
}

export function registryUnitSuite(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`DataKnobsRegistryAdapter (${runtime})`, () => {
    it("takes the seed's forms: backendType, backend_type/backend_config, nothing, fromConfig", async () => {
      const made = [
        new DataKnobsRegistryAdapter({ backendType: "memory" }),
        new DataKnobsRegistryAdapter({ backend_type: "memory", backend_config: {} }),
        new DataKnobsRegistryAdapter({ backend_type: "mem" }),
        new DataKnobsRegistryAdapter(),
        DataKnobsRegistryAdapter.fromConfig({ backend: "memory" }),
        new DataKnobsRegistryAdapter({ store: new MemoryRecordStore() }),
      ];
      for (const backend of made) {
        expect(backend instanceof StoreRegistryBackend).toBe(true);
        expect(backend.store.name).toBe("memory");
        await backend.initialize();
        await backend.register("seed-bot", { llm: { provider: "echo" } });
        expect(await backend.getConfig("seed-bot")).toEqual({ llm: { provider: "echo" } });
        expect((await backend.history("seed-bot")).items).toHaveLength(1);
      }
    });

    it("an unknown type or config key is a ValidationError naming what it accepts", () => {
      const type = thrown(() => new DataKnobsRegistryAdapter({ backend_type: "postgres" }));
      expect(type instanceof ValidationError).toBe(true);
      expect((type as Error).message).toContain("memory");
      const key = thrown(
        () => new DataKnobsRegistryAdapter({ backendType: "memory", backendConfig: { host: "x" } }),
      );
      expect(key instanceof ValidationError).toBe(true);
      expect((key as Error).message).toContain("host");
    });
  });

  describe(`createRegistryBackend("memory") (${runtime})`, () => {
    it("takes history_limit (versions kept per bot); other keys are a ValidationError", async () => {
      const backend = createRegistryBackend("memory", { history_limit: 2 });
      for (let v = 1; v <= 4; v++) await backend.register("b", { v });
      expect((await backend.history("b")).items.map((r) => r.version)).toEqual([4, 3]);
      for (const config of [{ history_limit: 0 }, { history_limit: "2" }, { path: "x" }])
        expect(
          thrown(() => createRegistryBackend("memory", config)) instanceof ValidationError,
        ).toBe(true);
    });
  });

  describe(`HTTPRegistryBackend against the seed's list shapes (${runtime})`, () => {
    for (const [shape, wrap] of [
      ["a plain array", (items: unknown[]) => items],
      ["{ configs: [...] }", (items: unknown[]) => ({ configs: items })],
    ] as const) {
      it(`reads ${shape}: listAll, listActive (filtered here), count, revision from the body`, async () => {
        let items = [seedItem("b"), seedItem("a"), seedItem("c", "inactive")];
        const server = seedServer(() => wrap(items));
        const backend = new HTTPRegistryBackend({
          baseUrl: "http://seed.test/api",
          resourcePath: "/configs",
          fetch: server.fetch,
        });
        expect((await backend.listAll()).map((r) => r.botId)).toEqual(["b", "a", "c"]);
        expect((await backend.listActive()).map((r) => r.botId)).toEqual(["b", "a"]);
        expect(await backend.count()).toBe(2);
        const page = await backend.listPage({ limit: 10 });
        expect(page.cursor).toBeUndefined();
        expect(page.items[0]?.createdAt.toISOString()).toBe("2026-01-14T10:00:00.123Z");
        // No ETag and no `revision`: the revision is a hash of the listing, moving with it.
        const r1 = await backend.revision();
        expect(await backend.revision()).toBe(r1);
        items = [...items, seedItem("d")];
        expect(await backend.revision()).not.toBe(r1);
        expect(server.urls.some((u) => u.startsWith("GET http://seed.test/api/configs"))).toBe(
          true,
        );
      });
    }

    it("an answer that is no list is an AdapterError naming the URL", async () => {
      const backend = new HTTPRegistryBackend({
        baseUrl: "http://seed.test",
        fetch: seedServer(() => ({ bots: [] })).fetch,
      });
      const error = await expectRejects(h, backend.listAll(), Error, "seed.test/bots");
      expect((error as { name: string }).name).toBe("AdapterError");
    });
  });
}
