// Knowledge storage on the file system with writers in several processes, and writers killed
// mid-write: the file list always agrees with the bytes, and a sweep removes what was left.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileKnowledgeBackend, FsBlobStore } from "../../src/adapters/fs/index.ts";
import { sha256Hex } from "../../src/core/util/sha256.ts";
import { BlobSearchIndex, KnowledgeIngestionManager, RAGKnowledgeBase } from "../../src/index.ts";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function writer(root: string, name: string, writers: number, rounds: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/fixtures/kb-writer.ts",
      root,
      "d",
      name,
      String(writers),
      String(rounds),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
}

function waitFor(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(line)) resolve();
    });
    child.on("exit", (code) =>
      out.includes(line) ? resolve() : reject(new Error(`writer exited ${code}`)),
    );
  });
}

/** Every listed file: bytes match the checksum and size, and the copy at <domain>/<path> matches. */
async function expectConsistent(root: string, kb: FileKnowledgeBackend): Promise<number> {
  const files = await kb.listFiles("d");
  for (const f of files) {
    const bytes = await kb.getFile("d", f.path);
    expect(bytes, `${f.path} listed without content`).not.toBeNull();
    expect([f.path, await sha256Hex(bytes as Uint8Array), bytes?.length]).toEqual([
      f.path,
      f.checksum,
      f.sizeBytes,
    ]);
    const copy = readFileSync(join(root, "d", f.path));
    expect([f.path, await sha256Hex(copy)]).toEqual([f.path, f.checksum]);
  }
  return files.length;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe("knowledge storage across processes (file system)", () => {
  it("an ingestion killed mid-run: the status is not left 'ingesting'; the next run completes", async () => {
    const root = mkdtempSync(join(tmpdir(), "botknobs-kb-ingest-kill-"));
    roots.push(root);
    const kb = new FileKnowledgeBackend({ path: root, ingestionLeaseMs: 1500 });
    await kb.createKb("d");
    const files = Array.from({ length: 400 }, (_, i) => ({
      path: `p${i}.md`,
      content: `# Page ${i}\n\n${"Paragraph about herons and egrets. ".repeat(200)}`,
    }));
    await kb.putFiles("d", files);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/fixtures/kb-ingester.ts", root, "d", "1500"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await waitFor(child, "ingesting");
    expect((await kb.getInfo("d"))?.ingestionStatus).toBe("ingesting");
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    await new Promise((r) => setTimeout(r, 1600));
    const info = await kb.getInfo("d");
    expect([info?.ingestionStatus, info?.ingestionError?.includes("ingest again")]).toEqual([
      "error",
      true,
    ]);
    // Nothing half-done is searchable, and a new run finishes the job.
    const rag = new RAGKnowledgeBase({
      index: new BlobSearchIndex({ store: new FsBlobStore({ root }) }),
    });
    const result = await new KnowledgeIngestionManager({ source: kb, destination: rag }).ingest(
      "d",
    );
    expect([result.status, result.filesProcessed]).toEqual(["ready", 400]);
    expect((await rag.search("herons egrets", { k: 3 })).length).toBe(3);
  }, 120_000);

  it("2 processes × 20 writers, half on shared paths: nothing lost, the list matches the bytes", async () => {
    const root = mkdtempSync(join(tmpdir(), "botknobs-kb-procs-"));
    roots.push(root);
    const kb = new FileKnowledgeBackend({ path: root });
    await kb.createKb("d");
    const a = writer(root, "a", 20, 5);
    const b = writer(root, "b", 20, 5);
    await Promise.all([waitFor(a, "done"), waitFor(b, "done")]);
    const count = await expectConsistent(root, kb);
    // 4 shared paths + per process 10 writers × 3 own paths.
    expect(count).toBe(4 + 2 * 10 * 3);
    const info = await kb.getInfo("d");
    // Every upload changed its file (no two uploads carry the same bytes): one version step each.
    expect(info?.version).toBe(String(1 + 2 * 20 * 5));
    expect(info?.fileCount).toBe(count);
  }, 120_000);

  it("writers killed mid-write leave the old state or the new one; a sweep clears the rest", async () => {
    const root = mkdtempSync(join(tmpdir(), "botknobs-kb-kill-"));
    roots.push(root);
    const kb = new FileKnowledgeBackend({ path: root });
    await kb.createKb("d");
    for (let round = 0; round < 4; round++) {
      const child = writer(root, `k${round}`, 8, 1000);
      await waitFor(child, "ready");
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 400));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("exit", r));
      // Whatever the moment, what is listed is whole. (Copies may lag a killed writer: not checked here.)
      for (const f of await kb.listFiles("d")) {
        const bytes = await kb.getFile("d", f.path);
        expect([f.path, await sha256Hex(bytes as Uint8Array)]).toEqual([f.path, f.checksum]);
      }
    }
    const reader = new FileKnowledgeBackend({ path: root });
    const swept = await new FsBlobStore({ root }).sweep({ olderThanMs: 0 });
    const removed = await reader.sweep({ olderThanMs: 0 });
    expect(swept.files + removed).toBeGreaterThan(0);
    // Nothing temporary or unreferenced is left, and the copies are in step again.
    expect(walk(root).filter((p) => p.includes(".botknobs-"))).toEqual([]);
    const listed = await reader.listFiles("d");
    const blobs = walk(join(root, "d", ".botknobs")).filter((p) => p.includes("/blobs/"));
    expect(blobs.length).toBe(listed.length);
    await expectConsistent(root, reader);
    expect(existsSync(join(root, "d", "_metadata.json"))).toBe(true);
  }, 120_000);
});
