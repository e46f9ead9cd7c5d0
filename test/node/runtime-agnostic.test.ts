// The core speaks Web standards only: this test fails if src/core imports anything
// runtime-specific, and proves it by bundling the core entries for a neutral platform.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const core = join(root, "src/core");
// Packages the core may use: they are pure ECMAScript themselves.
const ALLOWED_PACKAGES = ["zod/mini", "yaml", "fflate"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(source: string): string[] {
  const found: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;
  for (const m of source.matchAll(re)) found.push((m[1] ?? m[2] ?? m[3]) as string);
  return found;
}

describe("src/core is runtime-agnostic", () => {
  it("imports only src/core itself and pure-ES packages", () => {
    const bad: string[] = [];
    for (const file of files(core)) {
      const source = readFileSync(file, "utf8");
      for (const spec of imports(source)) {
        if (spec.startsWith(".")) {
          const target = resolve(file, "..", spec);
          if (!target.startsWith(core))
            bad.push(`${relative(root, file)} imports ${spec} (outside src/core)`);
        } else if (!ALLOWED_PACKAGES.includes(spec)) {
          bad.push(`${relative(root, file)} imports ${spec}`);
        }
      }
      for (const global of [
        /\bprocess\./,
        /\bBuffer\b/,
        /\brequire\(/,
        /\b__dirname\b/,
        /\bDeno\./,
        /\bBun\./,
      ]) {
        if (global.test(source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "")))
          bad.push(`${relative(root, file)} uses ${global.source}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the import scan itself catches a runtime import", () => {
    expect(imports('import { readFile } from "node:fs";\nexport * from "./x.ts";')).toEqual([
      "node:fs",
      "./x.ts",
    ]);
  });

  for (const entry of [
    "src/index.ts",
    "src/registry.ts",
    "src/events.ts",
    "src/config.ts",
    "src/knowledge.ts",
    "src/server/index.ts",
    "src/testing/index.ts",
    "src/adapters/cloudflare/index.ts",
  ]) {
    it(`${entry} bundles with --platform=neutral`, async () => {
      const result = await build({
        entryPoints: [join(root, entry)],
        bundle: true,
        platform: "neutral",
        format: "esm",
        minify: true,
        write: false,
        logLevel: "silent",
        mainFields: ["module", "main"],
      });
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      const gzip = gzipSync(code).length;
      console.log(
        `${entry}: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzip / 1024).toFixed(1)} KiB gzip`,
      );
      expect(code.length).toBeGreaterThan(1000);
      expect(new TextDecoder().decode(code)).not.toMatch(/from"node:|require\("node:/);
    });
  }
});

describe("package entry points", () => {
  it("deno.json exports mirror package.json exports", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const deno = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
    const fromPkg = Object.entries(pkg.exports as Record<string, { default?: string } | string>)
      .filter(([key]) => key !== "./package.json")
      .map(([key, value]) => [
        key,
        (typeof value === "string" ? value : (value.default ?? ""))
          .replace("./dist/", "./src/")
          .replace(/\.js$/, ".ts"),
      ]);
    expect(Object.entries(deno.exports)).toEqual(fromPkg);
    for (const [, file] of fromPkg)
      expect(statSync(join(root, file as string)).isFile()).toBe(true);
  });
});
