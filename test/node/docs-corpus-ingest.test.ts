// The real docs corpus through the whole path: uploaded to the file knowledge backend, then
// ingested and searched. File count, bytes and every SHA-256 must match the MANIFEST, with zero
// ingestion errors.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileKnowledgeBackend } from "../../src/adapters/fs/index.ts";
import { KnowledgeIngestionManager, RAGKnowledgeBase } from "../../src/index.ts";
import { docsCorpus, docsManifest, hasData, NO_DATA } from "../fixtures/data.ts";

const root = mkdtempSync(join(tmpdir(), "botknobs-docs-ingest-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!hasData())("the docs corpus, uploaded and ingested", () => {
  const backend = new FileKnowledgeBackend({ path: root });
  const kb = new RAGKnowledgeBase();

  it("uploads completely: count, bytes and checksums match the MANIFEST", async () => {
    const manifest = docsManifest();
    const files = docsCorpus();
    await backend.createKb("docs");
    for (let i = 0; i < files.length; i += 500) {
      await backend.putFiles(
        "docs",
        files.slice(i, i + 500).map((f) => ({ path: f.path, content: f.bytes })),
      );
    }
    const info = await backend.getInfo("docs");
    expect(info?.fileCount).toBe(manifest.length);
    expect(info?.totalSizeBytes).toBe(manifest.reduce((n, e) => n + e.size, 0));
    const stored = new Map((await backend.listFiles("docs")).map((f) => [f.path, f.checksum]));
    expect(manifest.filter((e) => stored.get(e.path) !== e.sha256).map((e) => e.path)).toEqual([]);
  }, 300_000);

  it("ingests with zero errors and answers from the right files", async () => {
    const result = await new KnowledgeIngestionManager({ source: backend, destination: kb }).ingest(
      "docs",
    );
    expect(result.errors).toEqual([]);
    expect(result.filesProcessed + result.filesSkipped).toBe(docsManifest().length);
    expect(result.chunksCreated).toBeGreaterThan(50_000);
    const top5 = await kb.query("Get-ChildItem gets the items in one or more specified locations", {
      k: 5,
      perSource: true,
    });
    expect(top5.some((r) => /Get-ChildItem\.md$/.test(r.source))).toBe(true);
    const [city] = await kb.query("Moscow", { k: 1, filter: { domain_id: "docs" } });
    expect(city?.source).toMatch(/\.csv$/);
  }, 600_000);
});

if (!hasData()) console.log(NO_DATA);
