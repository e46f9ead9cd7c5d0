/** Unit cases of the core models and helpers, runnable on every runtime through the harness. */

import { configOf } from "../../src/core/registry/registration.ts";
import { sha256Hex } from "../../src/core/util/json.ts";
import { Sha256 } from "../../src/core/util/sha256.ts";
import {
  BotknobsError,
  ConflictError,
  createEventBus,
  createRegistryBackend,
  EnvironmentConfig,
  Event,
  EventType,
  hasResourceReferences,
  InMemoryBackend,
  InMemoryEventBus,
  isPortable,
  loadEnvironment,
  matchTopic,
  NotFoundError,
  PortabilityError,
  Registration,
  resolveConfig,
  SSEEventBus,
  substituteEnvVars,
  ValidationError,
  validatePortability,
  WebSocketEventBus,
} from "../../src/index.ts";
import { expectRejects, type TestHarness, thrown } from "../../src/testing/index.ts";

export function coreUnitSuite(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`errors (${runtime})`, () => {
    it("branded - instanceof holds for the class and its bases, not siblings", () => {
      const e = new NotFoundError("Bot 'x' not found");
      expect(e instanceof NotFoundError).toBe(true);
      expect(e instanceof BotknobsError).toBe(true);
      expect(e instanceof Error).toBe(true);
      expect(e instanceof ConflictError).toBe(false);
      expect([e.name, e.code]).toEqual(["NotFoundError", "NOT_FOUND"]);
    });

    it("branded - a copy from another bundle is still recognised", () => {
      const foreign = Object.create(Error.prototype, {
        [Symbol.for("botknobs.error")]: { value: ["ValidationError", "BotknobsError"] },
      });
      expect(foreign instanceof ValidationError).toBe(true);
      expect(foreign instanceof NotFoundError).toBe(false);
    });

    it("cause - is passed on", () => {
      const cause = new Error("root");
      expect(new ValidationError("bad", [], { cause }).cause).toBe(cause);
    });
  });

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

  describe(`portability (${runtime})`, () => {
    it("flags resolved local values", () => {
      const cases: [unknown, string][] = [
        [{ path: "/Users/developer/data/vectors" }, "macOS home directory: '/Users/developer'"],
        [{ path: "/home/user/data" }, "Linux home directory: '/home/user'"],
        [{ path: "C:\\Users\\developer\\data" }, "Windows home directory"],
        [{ url: "http://localhost:8080/api" }, "localhost with port: 'localhost:8080'"],
        [{ host: "127.0.0.1" }, "localhost IP"],
        [{ bind: "0.0.0.0" }, "all interfaces IP"],
        [{ nested: { list: [{ p: "/home/José/x" }] } }, "/home/José"],
      ];
      for (const [config, part] of cases) {
        const e = thrown(() => validatePortability(config)) as PortabilityError;
        expect(e instanceof PortabilityError).toBe(true);
        expect(e.message).toContain(part);
        expect(e.message).toContain("$resource");
        expect(e.message).toContain("Issues found");
        expect(isPortable(config)).toBe(false);
      }
    });

    it("accepts portable values", () => {
      for (const config of [
        { path: "./data/vectors" },
        { path: "/var/data/app" },
        { url: "${DATABASE_URL}" },
        { path: "${DATA_PATH:/default/path}" },
        { home: "${HOME}/home/user/x" },
        { host: "localhost" },
      ]) {
        expect(validatePortability(config)).toEqual([]);
        expect(isPortable(config)).toBe(true);
      }
    });

    it("raiseOnError false returns the issues; resource references make a config portable", () => {
      expect(
        validatePortability({ a: "/Users/dev", b: "127.0.0.1" }, { raiseOnError: false }),
      ).toHaveLength(2);
      expect(hasResourceReferences({ db: { $resource: "x" } })).toBe(true);
      expect(hasResourceReferences({ note: "mentions $resource" })).toBe(true);
      expect(hasResourceReferences({ a: 1 })).toBe(false);
      expect(isPortable({ db: { $resource: "x" }, p: "/Users/dev" })).toBe(true);
    });
  });

  describe(`configuration (${runtime})`, () => {
    it("substituteEnvVars - set wins even empty; defaults may hold ':'; missing throws naming it", () => {
      const env = { API_KEY: "k", EMPTY: "" };
      expect(
        substituteEnvVars(
          {
            a: "${API_KEY}",
            b: "${EMPTY:x}",
            c: "${DATABASE_URL:sqlite:///default.db}",
            d: "${DATA_DIR:./data}/knowledge",
            n: 3,
            t: true,
          },
          env,
        ),
      ).toEqual({ a: "k", b: "", c: "sqlite:///default.db", d: "./data/knowledge", n: 3, t: true });
      expect(substituteEnvVars({ url: "http://host/x", p: "knowledge/" })).toEqual({
        url: "http://host/x",
        p: "knowledge/",
      });
      const e = thrown(() => substituteEnvVars(["${NOPE}"])) as ValidationError;
      expect(e instanceof ValidationError).toBe(true);
      expect(e.message).toContain("NOPE");
    });

    it("resolveConfig - $resource with inline defaults, nested, and the seed's single-resource shape (C13)", () => {
      const env = EnvironmentConfig.fromDict({
        name: "development",
        resources: {
          databases: { registry: { backend: "memory" } },
          knowledge: { backend: "file", path: "${DATA_DIR:./data}/knowledge" },
          nested: { outer: { inner: { $resource: "registry", type: "databases" } } },
        },
      });
      const out = resolveConfig(
        {
          registry: { $resource: "registry", type: "databases", pool: 5 },
          knowledge: { $resource: "knowledge", type: "knowledge" },
          deep: { $resource: "outer", type: "nested" },
          list: [{ $resource: "registry", type: "databases" }],
        },
        env,
        { env: { DATA_DIR: "/srv" } },
      );
      expect(out).toEqual({
        registry: { backend: "memory", pool: 5 },
        knowledge: { backend: "file", path: "/srv/knowledge" },
        deep: { inner: { backend: "memory" } },
        list: [{ backend: "memory" }],
      });
      const missing = thrown(() =>
        resolveConfig({ x: { $resource: "nope", type: "databases" } }, env),
      ) as ValidationError;
      expect(missing instanceof ValidationError).toBe(true);
      expect(missing.message).toContain("nope");
      expect(
        resolveConfig({ x: { $resource: "nope", type: "databases", backend: "memory" } }, env),
      ).toEqual({ x: { backend: "memory" } });
    });

    it("EnvironmentConfig - getResource copies, defaults fill gaps, not found throws", () => {
      const env = EnvironmentConfig.fromDict({
        name: "e",
        resources: { db: { main: { host: "h" } } },
        settings: { log_level: "DEBUG" },
      });
      const r = env.getResource("db", "main", { host: "x", port: 5 });
      expect(r).toEqual({ host: "h", port: 5 });
      r.host = "changed";
      expect(env.getResource("db", "main")).toEqual({ host: "h" });
      expect(env.getResource("db", "other", {})).toEqual({});
      expect(thrown(() => env.getResource("db", "other")) instanceof NotFoundError).toBe(true);
      expect(env.getSetting("log_level")).toBe("DEBUG");
      expect(env.getResourceNames("db")).toEqual(["main"]);
    });

    it("loadEnvironment - yaml, then yml, then json; missing gives an empty one; bad files throw", async () => {
      const files: Record<string, string> = {
        "envs/dev.yml":
          "name: development\nresources:\n  databases:\n    registry:\n      backend: memory\n",
        "envs/prod.json": '{"resources": {"databases": {"registry": {"backend": "postgres"}}}}',
        "envs/bad.yaml": "a: [unclosed",
        "envs/list.yaml": "- 1\n- 2\n",
      };
      const readText = async (p: string) => files[p] ?? null;
      const dev = await loadEnvironment("dev", { dir: "envs", readText });
      expect(dev.name).toBe("development");
      expect(dev.getResource("databases", "registry")).toEqual({ backend: "memory" });
      expect((await loadEnvironment("prod", { dir: "envs", readText })).name).toBe("prod");
      expect((await loadEnvironment("none", { dir: "envs", readText })).getResourceTypes()).toEqual(
        [],
      );
      expect(
        (
          await loadEnvironment(undefined, {
            dir: "envs",
            readText,
            env: { BOTKNOBS_ENVIRONMENT: "DEV" },
          })
        ).name,
      ).toBe("development");
      await expectRejects(
        h,
        loadEnvironment("bad", { dir: "envs", readText }),
        ValidationError,
        "bad.yaml",
      );
      await expectRejects(
        h,
        loadEnvironment("list", { dir: "envs", readText }),
        ValidationError,
        "object",
      );
    });
  });

  describe(`incremental SHA-256 (${runtime})`, () => {
    it("matches Web Crypto at every block boundary and across arbitrary splits", async () => {
      for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
        const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) % 256);
        const whole = new Sha256().update(data).hex();
        const split = new Sha256();
        for (let i = 0; i < n; i += 1 + (i % 97))
          split.update(data.subarray(i, Math.min(n, i + 1 + (i % 97))));
        expect(whole).toBe(await sha256Hex(data));
        expect(split.hex()).toBe(whole);
      }
      expect(new Sha256().update(new TextEncoder().encode("abc")).hex()).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      );
    });
  });
}
