// Tests the built package once, as a user gets it: build, `npm pack`, install the tarball into
// an empty project, then import every entry from JavaScript and type-check a TypeScript consumer.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packTarball } from "../fixtures/pack.ts";

const root = resolve(import.meta.dirname, "../..");
let project: string;

const consumerJs = `
import { CachingRegistryManager, InMemoryBackend, InMemoryEventBus, Event, EventType } from "botknobs";
import { createRegistryBackend } from "botknobs/registry";
import { createEventBus } from "botknobs/events";
import { resolveConfig } from "botknobs/config";
import { registryBackendSuite } from "botknobs/testing";
class M extends CachingRegistryManager { async createInstance(id, config) { return { id, config }; } }
const bus = createEventBus({ backend: "memory" });
const backend = createRegistryBackend("memory", {});
const manager = new M({ backend, eventBus: bus });
await manager.initialize();
await backend.register("b", { model: "\${MODEL:a}" });
const first = await manager.getOrCreate("b");
await backend.update("b", { model: "b" });
await bus.publish("registry:bots", new Event({ type: EventType.UPDATED, topic: "registry:bots", payload: { bot_id: "b" } }));
const second = await manager.getOrCreate("b");
console.log(JSON.stringify({
  first: resolveConfig(first.config, null, {}).model, second: second.config.model,
  suite: typeof registryBackendSuite, memory: new InMemoryBackend() instanceof InMemoryBackend, bus: bus instanceof InMemoryEventBus,
}));
`;

const consumerTs = `
import { CachingRegistryManager, type JsonObject, type Registration, NotFoundError } from "botknobs";
import type { TestHarness } from "botknobs/testing";
class Bot { constructor(readonly id: string, readonly config: JsonObject) {} }
export class Manager extends CachingRegistryManager<Bot> {
  protected createInstance(id: string, config: JsonObject, _r: Registration): Bot { return new Bot(id, config); }
}
export const isMissing = (e: unknown): boolean => e instanceof NotFoundError;
export type H = TestHarness;
`;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "botknobs-consumer-"));
  const tarball = basename(await packTarball(project));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", `./${tarball}`],
    { cwd: project, stdio: "inherit" },
  );
}, 300_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
}, 120_000);

describe("the packed package", () => {
  it("runs from JavaScript through every entry", () => {
    writeFileSync(join(project, "consumer.mjs"), consumerJs);
    const out = JSON.parse(
      execFileSync("node", ["consumer.mjs"], { cwd: project, encoding: "utf8" }),
    );
    expect(out).toEqual({ first: "a", second: "b", suite: "function", memory: true, bus: true });
  });

  it("type-checks a TypeScript consumer against the emitted declarations", () => {
    writeFileSync(join(project, "consumer.ts"), consumerTs);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          lib: ["ES2023", "DOM"],
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: project,
      stdio: "inherit",
    });
  });

  it("a Worker or browser user installs no Node server code: ws, @hono/node-server and the database clients are optional peers", () => {
    // The consumer installed the tarball alone, as a Worker or browser project does. `npm ls`
    // names the optional peers as "UNMET OPTIONAL DEPENDENCY"; --parseable lists what is installed.
    const listing = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
      cwd: project,
      encoding: "utf8",
    });
    const names = new Set(
      listing
        .trim()
        .split("\n")
        .slice(1)
        .map((path) => path.replace(/\\/g, "/").split("/node_modules/").at(-1) as string),
    );
    expect(names.has("botknobs")).toBe(true);
    expect(names.has("hono")).toBe(true); // botknobs/server runs on every runtime
    const peers = ["ws", "@hono/node-server", "better-sqlite3", "postgres", "redis"];
    expect([...names].filter((n) => peers.includes(n))).toEqual([]);
    for (const peer of peers) expect(existsSync(join(project, "node_modules", peer))).toBe(false);
    const pkg = JSON.parse(
      execFileSync("npm", ["pkg", "get", "peerDependenciesMeta"], {
        cwd: join(project, "node_modules/botknobs"),
        encoding: "utf8",
      }),
    );
    expect(pkg).toEqual({
      "@hono/node-server": { optional: true },
      ws: { optional: true },
      "better-sqlite3": { optional: true },
      postgres: { optional: true },
      redis: { optional: true },
    });
  });

  it("ships no tests, benches or data", () => {
    const listing = execFileSync("npm", ["pack", "--dry-run", "--json"], {
      cwd: root,
      encoding: "utf8",
    });
    const files: string[] = JSON.parse(listing)[0].files.map((f: { path: string }) => f.path);
    expect(
      files.filter((f) => /^(test|bench|examples|scripts)\//.test(f) || /\.test\.ts$/.test(f)),
    ).toEqual([]);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
  });

  // Last: it adds the peers to the consumer.
  it("botknobs/node serves once a Node user installs the optional peers", () => {
    execFileSync(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--silent",
        "ws",
        "@hono/node-server",
      ],
      { cwd: project, stdio: "inherit" },
    );
    writeFileSync(
      join(project, "node.mjs"),
      `import { serveApp } from "botknobs/node";
import { createInMemoryApp } from "botknobs/server";
const { app, registry } = createInMemoryApp();
await registry.register("b", { model: "m" });
const served = await serveApp(app);
const res = await fetch(served.url + "/bots/b");
console.log(JSON.stringify({ status: res.status }));
await served.close();`,
    );
    const out = JSON.parse(execFileSync("node", ["node.mjs"], { cwd: project, encoding: "utf8" }));
    expect(out).toEqual({ status: 200 });
  });
});
