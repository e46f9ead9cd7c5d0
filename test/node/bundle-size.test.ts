// The size budget of each entry, as a browser or Worker user's bundler ships it: esbuild,
// --platform=browser --minify, code splitting on. What counts is the code loaded up front (the
// entry's file and the chunks it imports statically, each gzipped); the chunks behind a dynamic
// import (the yaml parser, the chunker, the segment codec with fflate) load on first use only
// and are printed apart. bench/RESULTS.md records the figures before and after.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const outdir = mkdtempSync(join(tmpdir(), "botknobs-size-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * Budgets in KiB of gzip, up-front code only, with some room over today's size. Raised by 3–4 KiB
 * with "one shape" (issue 16): the record envelope and its checks, the ingestion step and its
 * claim, vectors through the VectorStore port, capabilities on every port (bench/RESULTS.md).
 */
const BUDGETS: Record<string, number> = {
  botknobs: 63,
  "botknobs/registry": 23,
  "botknobs/events": 13,
  "botknobs/config": 4,
  "botknobs/knowledge": 47,
  "botknobs/server": 82,
  // Every suite and the conformance() umbrella (what it builds over a port loads on first use),
  // with the edge and resume cases of issue 23 (about 3.5 KiB).
  "botknobs/testing": 54,
  // The D1/KV/R2 stores, the EventHub and its routes (hono, the event schemas), Vectorize, Workers AI.
  "botknobs/cloudflare": 40,
  "botknobs/d1": 4,
  "botknobs/kv": 6,
  "botknobs/r2": 4,
  "botknobs/durable-object": 28,
  "botknobs/vectorize": 5,
  "botknobs/workers-ai": 3,
  // Node, Deno and Bun only: measured with `node:*` left external. Issue 22 added ~10 KiB:
  // leased locks, the fenced and indexed journal (loading, compaction by seal), its repair, the
  // FileEventBus and the ingestion lease (both entries hold createFileApp, so the server).
  "botknobs/fs": 99,
  "botknobs/node": 99,
};

/** Every entry of package.json's `exports`, by its import name, to its source file. */
const ENTRIES: Record<string, string> = Object.fromEntries(
  Object.entries(
    JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports as Record<
      string,
      string | { default: string }
    >,
  )
    .filter(([key]) => key !== "./package.json")
    .map(([key, value]) => [
      key === "." ? "botknobs" : `botknobs/${key.slice(2)}`,
      (typeof value === "string" ? value : value.default)
        .replace("./dist/", "src/")
        .replace(/\.js$/, ".ts"),
    ]),
);
/** Entries for the server runtimes, whose `node:*` imports and Node-only peers stay external. */
const SERVER_ONLY = new Set(["botknobs/fs", "botknobs/node"]);

interface Measured {
  upFront: number;
  lazy: number;
  inputs: Set<string>;
}

/** Bundles one entry and sums the gzip sizes of the files loaded before any dynamic import. */
async function measure(entry: string, serverOnly = false): Promise<Measured> {
  const result = await build({
    ...(serverOnly ? { external: ["node:*", "ws", "@hono/node-server"] } : {}),
    entryPoints: [join(root, entry)],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    outdir: join(outdir, entry.replace(/\W/g, "_")),
  });
  const outputs = (result.metafile as Metafile).outputs;
  const gzipOf = new Map(
    result.outputFiles.map((f) => [f.path, gzipSync(f.contents).length] as const),
  );
  const absolute = (key: string): string => resolve(root, key);
  const start = Object.keys(outputs).find((k) => outputs[k]?.entryPoint) as string;
  const seen = new Set<string>();
  for (const stack = [start]; stack.length > 0; ) {
    const key = stack.pop() as string;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const i of outputs[key]?.imports ?? [])
      if (i.kind === "import-statement") stack.push(i.path);
  }
  let upFront = 0;
  let lazy = 0;
  const inputs = new Set<string>();
  for (const [key, output] of Object.entries(outputs)) {
    if (!key.endsWith(".js")) continue;
    const size = gzipOf.get(absolute(key)) ?? 0;
    if (seen.has(key)) {
      upFront += size;
      for (const input of Object.keys(output.inputs)) inputs.add(input);
    } else lazy += size;
  }
  return { upFront, lazy, inputs };
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

describe("bundle size budgets (esbuild, browser, minified, gzip)", () => {
  it("every package.json export has a budget", () => {
    expect(Object.keys(ENTRIES).sort()).toEqual(Object.keys(BUDGETS).sort());
  });

  for (const [name, entry] of Object.entries(ENTRIES)) {
    it(`${name} loads at most ${BUDGETS[name]} KiB gzip up front`, async () => {
      const { upFront, lazy } = await measure(entry, SERVER_ONLY.has(name));
      console.log(`${name}: ${kib(upFront)} gzip up front, ${kib(lazy)} gzip on first use`);
      expect(upFront).toBeGreaterThan(300); // the measurement found the code
      expect(upFront / 1024).toBeLessThan(BUDGETS[name] as number);
    });
  }

  it("the yaml parser, fflate and the chunker stay out of the root entry's up-front code", async () => {
    const { inputs } = await measure("src/index.ts");
    const heavy = [...inputs].filter((f) =>
      /node_modules\/(yaml|fflate)\/|src\/core\/knowledge\/chunk\/(chunk|markdown-blocks|front-matter)\.ts/.test(
        f,
      ),
    );
    expect(heavy).toEqual([]);
  });
});
