// The test layout holds: each file under test/unit/ is named after a folder or file of src/core
// (so the test of a source file is found without a search) and is registered in test/unit/all.ts,
// and nothing that runs on every runtime (test/unit/, test/conformance/) needs Node.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const unit = join(root, "test/unit");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const exists = (path: string): boolean => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

describe("test layout", () => {
  const units = files(unit).filter((f) => f !== join(unit, "all.ts"));

  it("each test/unit/<path>.ts tests src/core/<path> (a folder or a file) and runs from all.ts", () => {
    expect(units.length).toBeGreaterThan(5);
    const all = readFileSync(join(unit, "all.ts"), "utf8");
    const bad: string[] = [];
    for (const file of units) {
      const path = relative(unit, file).replace(/\.ts$/, "");
      const source = join(root, "src/core", path);
      if (!exists(source) && !exists(`${source}.ts`)) bad.push(`${path}: no src/core/${path}`);
      if (!all.includes(`"./${path}.ts"`)) bad.push(`${path}: not imported by test/unit/all.ts`);
    }
    expect(bad).toEqual([]);
  });

  it("nothing under test/unit/ or test/conformance/ imports a node: module or uses Node globals", () => {
    const bad: string[] = [];
    for (const file of [...files(unit), ...files(join(root, "test/conformance"))]) {
      const code = readFileSync(file, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "");
      for (const pattern of [/["']node:[^"']+["']/, /\bprocess\./, /\bBuffer\b/, /\b__dirname\b/]) {
        if (pattern.test(code)) bad.push(`${relative(root, file)}: ${pattern.source}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
