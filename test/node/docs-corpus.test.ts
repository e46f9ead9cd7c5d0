// The ingestion pipeline over the real docs corpus (/work/shared/data/docs-corpus.tar.gz): every
// file must transform and chunk without error, and the extracted files must match the MANIFEST.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseSimpleYaml } from "../../src/core/knowledge/chunk/front-matter.ts";
import { chunkFile } from "../../src/core/knowledge/chunk/index.ts";
import { docsCorpusDir, docsManifest, hasData, NO_DATA } from "../fixtures/data.ts";

function walk(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)).split("\\").join("/"));
}

const manifest = hasData() ? docsManifest() : [];
const dir = hasData() ? docsCorpusDir() : "";
if (!hasData()) console.log(NO_DATA);

describe.skipIf(!hasData())("docs corpus", () => {
  it("the extracted files match the MANIFEST: count, bytes and SHA-256", () => {
    const files = walk(dir).sort();
    expect(files).toEqual(manifest.map((e) => e.path).sort());
    let total = 0;
    for (const entry of manifest) {
      const bytes = readFileSync(join(dir, entry.path));
      expect([entry.path, bytes.length]).toEqual([entry.path, entry.size]);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
      total += bytes.length;
    }
    expect(total).toBe(manifest.reduce((a, e) => a + e.size, 0));
  });

  it("every file transforms and chunks: zero errors, no empty or oversized chunk", async () => {
    const errors: string[] = [];
    const unsupported: string[] = [];
    const kinds = new Map<string, number>();
    let chunks = 0;
    for (const entry of manifest) {
      const bytes = new Uint8Array(readFileSync(join(dir, entry.path)));
      try {
        const result = await chunkFile(entry.path, bytes);
        if (result === null) {
          unsupported.push(entry.path);
          continue;
        }
        kinds.set(result.kind, (kinds.get(result.kind) ?? 0) + 1);
        for (const c of result.chunks) {
          if (c.text.trim() === "" || c.text.length > 500) errors.push(`${entry.path}: bad chunk`);
        }
        if (entry.size > 0 && result.chunks.length === 0) errors.push(`${entry.path}: no chunks`);
        chunks += result.chunks.length;
      } catch (e) {
        errors.push(`${entry.path}: ${(e as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
    expect(unsupported).toEqual([]);
    expect(Object.fromEntries(kinds)).toEqual({ markdown: 3095, yaml: 36, json: 13, csv: 13 });
    expect(chunks).toBeGreaterThan(100_000);
  });

  it("the front-matter fast path agrees with the yaml package on every page it accepts", () => {
    let accepted = 0;
    for (const entry of manifest.filter((e) => e.path.endsWith(".md"))) {
      const text = readFileSync(join(dir, entry.path), "utf8")
        .replace(/^\uFEFF/, "")
        .replace(/\r\n?/g, "\n");
      const m = /^---\n([\s\S]*?\n)---[ \t]*(?:\n|$)/.exec(text);
      if (!m) continue;
      const fast = parseSimpleYaml(m[1] as string);
      if (fast === undefined) continue;
      accepted++;
      expect([entry.path, fast]).toEqual([entry.path, parseYaml(m[1] as string)]);
    }
    expect(accepted).toBeGreaterThan(3000);
  });
});
