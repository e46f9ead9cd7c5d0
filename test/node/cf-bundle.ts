/**
 * Builds Workers for Miniflare in Node tests and benches: one ES module bundle per entry, as
 * wrangler would build them (esbuild, the `workerd` export conditions).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

/** Bundles `entries` (name → source path) into a fresh folder; returns name → bundle path. */
export async function bundleWorkers(
  entries: Record<string, string>,
): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "botknobs-workers-"));
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = join(dir, `${name}.mjs`);
    await build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      outfile,
      logLevel: "silent",
    });
    out[name] = outfile;
  }
  return out;
}
