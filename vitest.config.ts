import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { playwright } from "@vitest/browser-playwright";
import { build } from "esbuild";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import { mutantEsbuildPlugin, mutantPlugin } from "./test/mutants/patch.ts";
import {
  HUB_MUTANT_BINDINGS,
  HUB_REAL_BINDING,
  hubMutantClass,
  hubMutantsEntry,
} from "./test/workerd/hub-mutants/bindings.ts";

// Debian's Chromium (apt-get install -y chromium); Playwright's own browser download is not used.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The second Worker of the workerd tests, bundled, sharing the tests' R2 bucket. */
async function secondIsolate() {
  const bundle = await build({
    entryPoints: ["test/workerd/second-isolate/worker.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return {
    name: "second-isolate",
    modules: true,
    script: bundle.outputFiles[0]?.text ?? "",
    compatibilityDate: "2026-04-01",
    r2Buckets: { KNOWLEDGE: "botknobs-knowledge" },
  };
}

/**
 * A Worker of the Durable Object hub's source mutants (test/workerd/hub-mutants/), each class
 * bound in the workerd tests under its own name.
 */
async function hubMutants() {
  const bundle = await build({
    stdin: { contents: hubMutantsEntry(), resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
    plugins: [mutantEsbuildPlugin()],
  });
  const classes = [...Object.values(HUB_MUTANT_BINDINGS), HUB_REAL_BINDING].map(
    (b) => [b, hubMutantClass(b)] as const,
  );
  return {
    worker: {
      name: "hub-mutants",
      modules: true,
      script: bundle.outputFiles[0]?.text ?? "",
      compatibilityDate: "2026-04-01",
      durableObjects: Object.fromEntries(
        classes.map(([b, className]) => [b, { className, useSQLite: true }]),
      ),
    },
    bindings: Object.fromEntries(
      classes.map(([b, className]) => [b, { className, scriptName: "hub-mutants" }]),
    ),
  };
}

const mutantHubs = await hubMutants();

const config: ViteUserConfig = defineConfig({
  test: {
    projects: [
      {
        // `import("mutant:<id>")`: an adapter's source with one bug patched in (test/mutants/).
        plugins: [mutantPlugin()],
        test: {
          name: "node",
          environment: "node",
          include: [
            "test/conformance/**/*.test.ts",
            "test/node/**/*.test.ts",
            "test/mutants/**/*.test.ts",
          ],
          testTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // The D1 registry schema (migrations/), applied by the tests that use REGISTRY_DB.
              // BOTKNOBS_PUBLIC: the tests write without tokens, as `npm run dev` on loopback
              // does (wrangler.toml has no such var: a deploy fails closed); worker-closed.test.ts
              // calls the Worker with an env without it.
              // BOTKNOBS_MUTANTS: how the mutant kit runs (`npm run mutants` sets it).
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                BOTKNOBS_PUBLIC: "1",
                BOTKNOBS_MUTANTS: process.env.BOTKNOBS_MUTANTS ?? "",
              },
              // An unmigrated D1 database besides wrangler.toml's: stored-data fixtures are
              // loaded into it under older migrations, then migrated (d1-stored-v0.test.ts).
              d1Databases: { FIXTURE_DB: "botknobs-fixture" },
              // A second Worker in its own isolate, sharing the R2 bucket (test/workerd/second-isolate/).
              serviceBindings: { SECOND_ISOLATE: "second-isolate" },
              workers: [await secondIsolate(), mutantHubs.worker],
              // The hub's source mutants, each its own Durable Object namespace (test/mutants/).
              durableObjects: mutantHubs.bindings,
            },
          })),
          mutantPlugin(),
        ],
        test: {
          name: "workerd",
          include: ["test/conformance/**/*.test.ts", "test/workerd/**/*.test.ts"],
          setupFiles: ["test/workerd/setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/conformance/**/*.test.ts", "test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/api-server.ts"],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromium, args: chromiumFlags },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});

export default config;
