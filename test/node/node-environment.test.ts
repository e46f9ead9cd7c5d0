import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnvironment, readTextFile } from "../../src/adapters/fs/index.ts";
import { resolveConfig } from "../../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("botknobs/node loadEnvironment", () => {
  it("reads the seed's development.yaml from disk and resolves a domain config with it", async () => {
    writeFileSync(
      join(dir, "development.yaml"),
      [
        "name: development",
        "resources:",
        "  databases:",
        "    registry:",
        "      backend: memory",
        "  knowledge:",
        "    backend: file",
        "    path: ${DATA_DIR:./data}/knowledge",
        "settings:",
        "  log_level: DEBUG",
      ].join("\n"),
    );
    const env = await loadEnvironment("development", { dir, env: {} });
    expect(env.getSetting("log_level")).toBe("DEBUG");
    const bot = resolveConfig(
      {
        registry: { $resource: "registry", type: "databases" },
        knowledge: { $resource: "knowledge", type: "knowledge" },
      },
      env,
      { env: { DATA_DIR: "/srv" } },
    );
    expect(bot).toEqual({
      registry: { backend: "memory" },
      knowledge: { backend: "file", path: "/srv/knowledge" },
    });
  });

  it("detects the name from the variables, and a missing file gives an empty environment", async () => {
    const env = await loadEnvironment(undefined, { dir, env: { KUBERNETES_SERVICE_HOST: "x" } });
    expect(env.name).toBe("production");
    expect(env.getResourceTypes()).toEqual([]);
    expect(await readTextFile(join(dir, "nope.yaml"))).toBeNull();
  });
});
