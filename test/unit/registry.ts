/**
 * Unit cases of `src/core/registry/`, run on every runtime by `test/unit/all.ts`: the registration
 * model and the backend factory, the seed's `DataKnobsRegistryAdapter` forms, and
 * `HTTPRegistryBackend` against servers that answer `GET /bots` the seed's way (a plain array, or
 * `{ configs }`).
 */
import { RecordTable } from "../../src/core/registry/record-table.ts";
import { configOf } from "../../src/core/registry/registration.ts";
import {
  createRegistryBackend,
  DataKnobsRegistryAdapter,
  HTTPRegistryBackend,
  InMemoryBackend,
  MemoryRecordStore,
  Registration,
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

/** Registers the cases with `h`. */
export function registryUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`registry model (${runtime})`, () => {
    it("Registration.fromDict - defaults and both UTC spellings", () => {
      const r = Registration.fromDict({
        bot_id: "b",
        config: {},
        created_at: "2026-01-14T10:00:00.123456+00:00",
        updated_at: "2026-01-14T10:00:00Z",
      });
      expect(r.status).toBe("active");
      expect(r.version).toBe(1);
      expect(r.createdAt.toISOString()).toBe("2026-01-14T10:00:00.123Z");
      expect(r.updatedAt.toISOString()).toBe("2026-01-14T10:00:00.000Z");
      expect(String(r)).toContain("Registration(bot_id='b', status='active'");
      expect(Registration.fromDict(r.toDict()).toDict()).toEqual(r.toDict());
    });

    it("Registration.toJSONText - equals JSON.stringify(toDict()), config as object or as text", () => {
      const config = { llm: { model: "m", t: 0.2 }, s: 'é "q" \u2028 🙂', n: null, a: [1, {}] };
      const dict = {
        bot_id: "x:y.z@w",
        config,
        status: "inactive",
        version: 7,
        etag: "abc",
        created_at: "2026-01-14T10:00:00.000Z",
        updated_at: "2026-01-14T10:00:00Z",
        last_accessed_at: "2026-01-14T10:00:00.123456+00:00",
        metadata: { team: ["a"] },
      };
      const fromObject = Registration.fromDict(dict);
      const fromText = Registration.fromDict({ ...dict, config: JSON.stringify(config) });
      const expected = JSON.stringify(fromObject.toDict());
      expect(fromObject.toJSONText()).toBe(expected);
      expect(fromText.toJSONText()).toBe(expected);
      expect(JSON.parse(fromText.toJSONText())).toEqual(JSON.parse(expected));
      // Text is parsed once, on first read; afterwards the (mutable) object is the truth.
      expect(fromText.config).toEqual(config);
      expect(fromText.config).toBe(fromText.config);
      (fromText.config.llm as { t: number }).t = 0.9;
      expect(JSON.parse(fromText.toJSONText()).config.llm.t).toBe(0.9);
      expect(fromText.toDict().config).toBe(fromText.config);
      expect(configOf({ config: '{"a":1}' })).toEqual({ a: 1 });
      // The envelope: labels and write context read from `ext`, written back only when present.
      const ext = {
        labels: { stable: 3 },
        write_context: { actor: "alice", reason: 'why "quoted" 🙂' },
      };
      const withExt = Registration.fromDict({ ...dict, config: JSON.stringify(config), ext });
      expect(withExt.labels).toEqual({ stable: 3 });
      expect(withExt.writeContext).toEqual(ext.write_context);
      expect(withExt.toDict().ext).toEqual(ext);
      expect(withExt.toJSONText()).toBe(JSON.stringify(withExt.toDict()));
      expect(JSON.parse(withExt.toJSONText()).ext).toEqual(ext);
      expect("ext" in fromObject.toDict()).toBe(false);
      expect([fromObject.labels, fromObject.writeContext]).toEqual([{}, undefined]);
      const onlyActor = Registration.fromDict({ ...dict, ext: { write_context: { actor: "a" } } });
      expect(onlyActor.toJSONText()).toBe(JSON.stringify(onlyActor.toDict()));
      expect(JSON.parse(onlyActor.toJSONText()).ext).toEqual({ write_context: { actor: "a" } });
      expect(
        thrown(() => Registration.fromDict({ bot_id: "b", config: null as never })) instanceof
          TypeError,
      ).toBe(true);
    });

    it("createRegistryBackend - memory, case-insensitive; unknown type lists the known ones", () => {
      expect(createRegistryBackend("memory", {}) instanceof InMemoryBackend).toBe(true);
      expect(createRegistryBackend("MEMORY") instanceof InMemoryBackend).toBe(true);
      const e = thrown(() => createRegistryBackend("oracle", {})) as ValidationError;
      expect(e.message.toLowerCase()).toContain("unknown");
      expect(e.message).toContain("memory");
      expect(
        thrown(() => createRegistryBackend("memory", { path: "x" })) instanceof ValidationError,
      ).toBe(true);
    });

    it("InMemoryBackend - close drops the data; repr counts", async () => {
      const b = new InMemoryBackend();
      await b.register("a", {});
      expect(String(b)).toBe("InMemoryBackend(count=1)");
      await b.close();
      expect(await b.count()).toBe(0);
    });
  });

  describe(`StoreRegistryBackend over the record envelope (${runtime})`, () => {
    it("labels are the bot's: carried by every write, a rollback too; history keeps them as they stood", async () => {
      const store = new MemoryRecordStore();
      const backend = new StoreRegistryBackend({ store });
      await backend.register("l", { v: 1 });
      const v1 = (await store.get("l")) as RegistrationDict;
      // Labels are written through the store (their API comes later).
      await store.put(
        { ...v1, version: 2, config: { v: 2 }, ext: { labels: { stable: 1, beta: 2 } } },
        { expectedVersion: 1 },
      );
      const v3 = await backend.update("l", { v: 3 }, { actor: "ops" });
      expect([v3.labels, v3.writeContext]).toEqual([{ stable: 1, beta: 2 }, { actor: "ops" }]);
      const v4 = await backend.rollback("l", 1);
      expect([v4.config, v4.labels, v4.writeContext]).toEqual([
        { v: 1 },
        { stable: 1, beta: 2 },
        undefined,
      ]);
      const history = (await backend.history("l")).items;
      expect(history.map((r) => [r.version, r.labels])).toEqual([
        [4, { stable: 1, beta: 2 }],
        [3, { stable: 1, beta: 2 }],
        [2, { stable: 1, beta: 2 }],
        [1, {}],
      ]);
      // A deleted bot starts afresh, without labels.
      await backend.unregister("l");
      expect((await backend.register("l", { v: 1 })).labels).toEqual({});
    });

    it("listPage({ status }) is one store call on a store that filters, pages on one that does not", async () => {
      const lists: unknown[] = [];
      class Counting extends MemoryRecordStore {
        override async list(options?: Parameters<MemoryRecordStore["list"]>[0]) {
          lists.push(options);
          return super.list(options);
        }
      }
      class NoFilters extends Counting {
        override readonly capabilities = { ...new MemoryRecordStore().capabilities, filters: [] };
      }
      // Filtered by the store: a full page. Filtered here: at most 8 store pages are read, so a
      // sparse status gives a short page with a cursor.
      for (const [store, calls, ids, cursor] of [
        [new Counting(), 1, ["b-00", "b-10", "b-20"], "b-20"],
        [new NoFilters(), 8, ["b-00", "b-10"], "b-13"],
      ] as const) {
        const backend = new StoreRegistryBackend({ store });
        for (let i = 0; i < 40; i++)
          await backend.register(
            `b-${String(i).padStart(2, "0")}`,
            {},
            {
              status: i % 10 === 0 ? "active" : "inactive",
            },
          );
        lists.length = 0;
        const page = await backend.listPage({ status: "active", limit: 3 });
        expect(page.items.map((r) => r.botId)).toEqual(ids);
        expect(page.cursor).toBe(cursor);
        expect(lists.length).toBe(calls);
        if (calls === 1) expect(lists[0]).toEqual({ where: { status: "active" }, limit: 3 });
      }
    });
  });

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

  describe(`RecordTable with versions kept as references (${runtime})`, () => {
    const rec = (v: number): RegistrationDict => ({
      bot_id: "r",
      config: { v },
      status: "active",
      version: v,
      etag: `e${v}`,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
      last_accessed_at: "2026-01-01T00:00:00.000Z",
      metadata: {},
    });

    it("the current record stays in memory; history pages and getKept hand out the references", () => {
      const table = new RecordTable<string>();
      for (let v = 1; v <= 4; v++)
        expect(table.put(rec(v), v === 1 ? null : v - 1, `line-${v}`)).toBe(true);
      expect(configOf(table.get("r") as never)).toEqual({ v: 4 });
      const page = table.keptPage("r", { limit: 2 });
      expect(page).toEqual({
        items: [
          { version: 4, ref: "line-4" },
          { version: 3, ref: "line-3" },
        ],
        cursor: "3",
      });
      expect(table.keptPage("r", { cursor: "3" }).items).toEqual([
        { version: 2, ref: "line-2" },
        { version: 1, ref: "line-1" },
      ]);
      expect(table.getKept("r", 2)).toEqual({ version: 2, ref: "line-2" });
      expect(table.getKept("r", 9)).toBeNull();
      expect(table.prune("r", 2)).toBe(2);
      expect(table.versionCount).toBe(2);
      expect(table.getKept("r", 2)).toBeNull();
      expect(table.touch("r", "2026-02-01T00:00:00.000Z", 4)).toBe(true);
      expect([...table.kept()]).toEqual([
        {
          botId: "r",
          versions: [
            { version: 3, ref: "line-3" },
            { version: 4, ref: "line-4" },
          ],
          touchedAt: "2026-02-01T00:00:00.000Z",
        },
      ]);
    });

    it("putRef replays a version not read: it counts, and the next put sets the current record", () => {
      const table = new RecordTable<number>();
      expect(table.putRef("r", 1, 10)).toBe(true);
      expect(table.putRef("r", 2, 20)).toBe(true);
      expect(table.version("r")).toBe(2);
      expect(thrown(() => table.putRef("r", 2, 21)) instanceof ValidationError).toBe(true);
      // An access to a version not read yet has nothing to apply to.
      expect(table.touch("r", "2026-02-01T00:00:00.000Z", 2)).toBe(false);
      expect(table.put(rec(3), 2, 30)).toBe(true);
      expect(table.get("r")?.version).toBe(3);
      expect(table.changes).toBe(3);
      expect(table.keptPage("r").items.map((k) => ("ref" in k ? k.ref : null))).toEqual([
        30, 20, 10,
      ]);
    });
  });
}
