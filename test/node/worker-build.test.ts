// `wrangler deploy --dry-run` builds the Worker (worker/index.ts with wrangler.toml) as it would
// be uploaded, within the bundle budget: < 200 KB gzipped with every feature, and without
// BOTKNOBS_PUBLIC among its variables (a deployed Worker without tokens serves reads only).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const BUDGET_GZIP_BYTES = 200 * 1000;

describe("the Worker build", () => {
  it("wrangler deploy --dry-run builds it, under the gzip budget", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "botknobs-worker-build-"));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", outdir],
        { env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
      );
      expect(stdout).toContain("env.EVENTS (EventHub)");
      // A deploy fails closed: nothing in wrangler.toml opens it (npm run dev sets the variable).
      expect(stdout).not.toContain("BOTKNOBS_PUBLIC");
      const bundle = await readFile(join(outdir, "index.js"));
      const gzipped = gzipSync(bundle, { level: 9 }).length;
      console.log(`worker bundle: ${bundle.length} bytes, ${gzipped} bytes gzipped`);
      expect(gzipped).toBeLessThan(BUDGET_GZIP_BYTES);
      // The Durable Object class is exported for the binding.
      expect(bundle.toString()).toMatch(/export\s*\{[^}]*\bEventHub\b/);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
