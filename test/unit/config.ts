/**
 * Unit cases of `src/core/config/`: `${VAR}` substitution, `$resource` resolution and
 * environments. Run on every runtime by `test/unit/all.ts`.
 */
import {
  EnvironmentConfig,
  loadEnvironment,
  NotFoundError,
  resolveConfig,
  substituteEnvVars,
  ValidationError,
} from "../../src/index.ts";
import { expectRejects, type TestHarness, thrown } from "../../src/testing/index.ts";

/** Registers the cases with `h`. */
export function configUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

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
}
