import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig, type ViteUserConfig } from "vitest/config";

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

const config: ViteUserConfig = defineConfig({
  test: {
    projects: [
      {
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
            // The D1 registry schema (migrations/), applied by the tests that use REGISTRY_DB.
            miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations") } },
          })),
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
