import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { playwright } from "@vitest/browser-playwright";
import { build } from "esbuild";
import { defineConfig, type ViteUserConfig } from "vitest/config";
import { mutantPlugin } from "./test/mutants/patch.ts";
import { HUB_STALE_BINDING } from "./test/workerd/hub-mutants/bindings.ts";
import { buildHubMutants, WORKER_BUNDLE } from "./test/workerd/hub-mutants/build.ts";

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
    ...WORKER_BUNDLE,
    entryPoints: ["test/workerd/second-isolate/worker.ts"],
  });
  return {
    name: "second-isolate",
    modules: true,
    script: bundle.outputFiles[0]?.text ?? "",
    compatibilityDate: "2026-04-01",
    r2Buckets: { KNOWLEDGE: "botknobs-knowledge" },
  };
}

// A Worker of the Durable Object hub's source mutants (test/workerd/hub-mutants/), each class
// bound in the workerd tests under its own name; a mutant whose patch went stale fails alone.
const mutantHubs = await buildHubMutants();

const config: ViteUserConfig = defineConfig({
  test: {
    projects: [
      {
        // `import("mutant:<id>")`: an adapter's source with one bug patched in (test/mutants/).
        plugins: [mutantPlugin()],
        test: {
          name: "node",
          environment: "node",
          // The S3 test server (s3rver), for the S3 tests: test/fixtures/s3-global-setup.ts.
          globalSetup: ["test/fixtures/s3-global-setup.ts"],
          include: [
            "test/conformance/**/*.test.ts",
            "test/node/**/*.test.ts",
            "test/mutants/**/*.test.ts",
          ],
          testTimeout: 60_000,
          // Hooks remove installed packages and stop servers: 10 s is too short on a loaded CI
          // machine (package.test.ts's afterAll timed out there, removing its node_modules).
          hookTimeout: 60_000,
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
              // BOTKNOBS_MUTANTS: how the mutant kit runs (`npm run mutants` sets it);
              // HUB_MUTANTS_STALE: the hub mutants whose patch no longer applies (they fail alone).
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                BOTKNOBS_PUBLIC: "1",
                BOTKNOBS_MUTANTS: process.env.BOTKNOBS_MUTANTS ?? "",
                [HUB_STALE_BINDING]: JSON.stringify(mutantHubs.stale),
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
          globalSetup: ["test/fixtures/s3-global-setup.ts"],
          setupFiles: ["test/workerd/setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // `import("mutant:<id>")` in Chromium too: the browser adapters' mutants (test/mutants/).
        plugins: [mutantPlugin()],
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
