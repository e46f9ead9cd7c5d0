// `botknobs export` spawned as a process: the persisted index of a knowledge base written as plain
// files under the keys the index reads, a manifest with each file's SHA-256; a search index over
// nothing but those files answers as the server does; a second export replaces the first; the
// exit codes of what cannot be exported.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileApp, FsBlobStore } from "../../src/adapters/fs/index.ts";
import { BlobSearchIndex } from "../../src/core/knowledge/index/blob-search-index.ts";
import { cli } from "../fixtures/cli.ts";
import { seededFolder } from "../fixtures/cli-data.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-export-"));
const data = join(dir, "data");
const out = join(dir, "site", "index");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() =>
  seededFolder(data, { "otters.md": "# Otters\n\nSea otters hold hands while they sleep." }),
);

interface Manifest {
  format: string;
  domain_id: string;
  generation: string;
  head: string;
  commit: number;
  files: { key: string; bytes: number; sha256: string }[];
}

const manifestOf = (folder: string): Manifest =>
  JSON.parse(readFileSync(join(folder, "botknobs-export.json"), "utf8")) as Manifest;

/** The top sources for `query` from a search index over the exported files alone. */
async function searchExport(folder: string, query: string): Promise<string[]> {
  const { domain_id, generation } = manifestOf(folder);
  const index = new BlobSearchIndex({ store: new FsBlobStore({ root: folder }) });
  const hits = await index.query([{ domainId: domain_id, generation }], { text: query, k: 3 });
  return hits.map((h) => h.chunk.source);
}

describe("botknobs export", () => {
  it("writes the head and segments with a manifest of their checksums; an index over them alone answers as search does", async () => {
    const run = await cli(["export", "support", out, "--data", data]);
    expect(run.code).toBe(0);
    const m = manifestOf(out);
    expect(run.stdout).toContain(
      `exported the index of 'support' (commit ${m.commit}) to ${out}: ${m.files.length} files`,
    );
    expect(m).toMatchObject({ format: "botknobs.export", domain_id: "support" });
    expect(m.head).toBe(`support/.botknobs/${m.generation}/index/head.json`);
    expect(m.files.map((f) => f.key)).toContain(m.head);
    for (const f of m.files) {
      const bytes = readFileSync(join(out, f.key));
      expect([f.key, bytes.length, createHash("sha256").update(bytes).digest("hex")]).toEqual([
        f.key,
        f.bytes,
        f.sha256,
      ]);
    }
    // Only the index: no knowledge file, no metadata of the store.
    expect(m.files.every((f) => f.key.startsWith(`support/.botknobs/${m.generation}/index/`))).toBe(
      true,
    );

    const served = JSON.parse(
      (await cli(["search", "support", "otters sleep", "--json", "--data", data])).stdout,
    ) as {
      results: { source: string }[];
    };
    expect(await searchExport(out, "otters sleep")).toEqual(
      served.results.slice(0, 3).map((r) => r.source),
    );
    expect((await searchExport(out, "reset password"))[0]).toBe("faq.md");
  }, 120_000);

  it("again after the knowledge base was made anew: the folder holds the new index, and the files of the old one are gone", async () => {
    const before = manifestOf(out);
    // Deleted and created again: a new generation, so every key of the index is new.
    expect((await cli(["kb", "rm", "support", "--yes", "--data", data])).code).toBe(0);
    const app = createFileApp({ path: data });
    await app.knowledge.createKb("support");
    await app.knowledge.putFile(
      "support",
      "walruses.md",
      "# Walruses\n\nWalruses haul out on ice.",
    );
    await app.ingestion.ingest("support");
    await app.eventBus.close();
    const run = await cli(["export", "support", out, "--data", data, "--json"]);
    const after = JSON.parse(run.stdout) as Manifest;
    expect(after.generation).not.toBe(before.generation);
    expect(manifestOf(out)).toEqual(after);
    const dropped = before.files.filter((f) => !after.files.some((g) => g.key === f.key));
    expect(dropped.length).toBe(before.files.length);
    for (const f of dropped) expect(existsSync(join(out, f.key))).toBe(false);
    expect(existsSync(join(out, "support/.botknobs", before.generation))).toBe(false);
    expect(await searchExport(out, "walruses ice")).toEqual(["walruses.md"]);
  }, 120_000);

  it("refuses what it cannot export, naming the fix", async () => {
    const occupied = join(dir, "occupied");
    mkdirSync(occupied);
    writeFileSync(join(occupied, "index.html"), "<p>mine</p>");
    const app = createFileApp({ path: data });
    await app.knowledge.createKb("empty");
    await app.eventBus.close();
    const [full, missing, empty, server] = await Promise.all([
      cli(["export", "support", occupied, "--data", data]),
      cli(["export", "nope", join(dir, "x"), "--data", data]),
      cli(["export", "empty", join(dir, "y"), "--data", data]),
      cli(["export", "support", join(dir, "z"), "--server", "http://127.0.0.1:8787"]),
    ]);
    expect([full.code, full.stderr]).toEqual([
      2,
      expect.stringContaining("is not empty and holds no earlier export"),
    ]);
    expect(readFileSync(join(occupied, "index.html"), "utf8")).toBe("<p>mine</p>");
    expect([missing.code, missing.stderr]).toEqual([
      3,
      expect.stringContaining("no knowledge base 'nope'"),
    ]);
    expect([empty.code, empty.stderr]).toEqual([
      1,
      expect.stringContaining("has no persisted index yet: ingest it first"),
    ]);
    expect([server.code, server.stderr]).toEqual([
      2,
      expect.stringContaining("run it where the data is, with --data DIR"),
    ]);
  }, 120_000);
});
