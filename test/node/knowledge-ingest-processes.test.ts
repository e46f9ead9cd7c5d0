// Ingestion of one knowledge base from two processes at once, over one data folder (the real
// file stores): runs never stack their changes over each other's, and whatever the interleaving
// of runs and uploads, the index ends with exactly the newest text of each file — at the latest
// after one more run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileKnowledgeBackend, FsBlobStore } from "../../src/adapters/fs/index.ts";
import { BlobSearchIndex, KnowledgeIngestionManager, RAGKnowledgeBase } from "../../src/index.ts";

const roots: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A run in its own process; `gate` stops it at one file's read until `open()`. */
function run(
  root: string,
  gate?: { path: string; when: "before" | "after" },
): {
  child: ChildProcess;
  paused: Promise<void>;
  waiting: Promise<void>;
  result: Promise<string>;
  open(): void;
} {
  const args = ["--import", "tsx", "test/fixtures/kb-gated-ingester.ts", root, "d"];
  if (gate) args.push(gate.path, gate.when);
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  let out = "";
  let onPaused: () => void = () => {};
  let onWaiting: () => void = () => {};
  const paused = new Promise<void>((resolve) => {
    onPaused = resolve;
  });
  const waiting = new Promise<void>((resolve) => {
    onWaiting = resolve;
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("paused")) onPaused();
    if (out.includes("waiting")) onWaiting();
  });
  const result = new Promise<string>((resolve, reject) => {
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("result ") || l.startsWith("failed "));
      if (line) resolve(line);
      else reject(new Error(`ingester exited ${code} without a result: ${out}`));
    });
  });
  return { child, paused, waiting, result, open: () => child.stdin?.write("go\n") };
}

// Each version of a file carries its own words, so a search tells which one is indexed.
const big = (v: string): string =>
  `# Big ${v}\n\n${Array.from({ length: 400 }, (_, i) => `## Part ${i}\n\nbig${v} ${"lorem ipsum dolor ".repeat(12)}\n`).join("\n")}`;
const small = (v: string): string => `# Small\n\nsmall${v} notes\n`;
const WORDS = ["bigone", "bigtwo", "smallone", "smalltwo", "smallthree"];

/** Which words a new process (a fresh index over the folder) finds, and in which file. */
async function served(root: string): Promise<Record<string, string[]>> {
  const rag = new RAGKnowledgeBase({
    index: new BlobSearchIndex({ store: new FsBlobStore({ root }) }),
  });
  rag.useKnowledge(new FileKnowledgeBackend({ path: root }));
  const out: Record<string, string[]> = {};
  for (const w of WORDS) {
    const hits = await rag.search(w, { k: 50 });
    out[w] = [...new Set(hits.filter((h) => h.text.includes(w)).map((h) => h.source))];
  }
  return out;
}

/** One more run, in this process; returns what it did. */
async function ingestAgain(root: string): Promise<{ processed: number; unchanged: number }> {
  const source = new FileKnowledgeBackend({ path: root });
  const rag = new RAGKnowledgeBase({
    index: new BlobSearchIndex({ store: new FsBlobStore({ root }) }),
  });
  const result = await new KnowledgeIngestionManager({ source, destination: rag }).ingest("d");
  return { processed: result.filesProcessed, unchanged: result.filesUnchanged };
}

async function setup(): Promise<{ root: string; kb: FileKnowledgeBackend }> {
  const root = mkdtempSync(join(tmpdir(), "botknobs-kb-ingest-race-"));
  roots.push(root);
  const kb = new FileKnowledgeBackend({ path: root });
  await kb.createKb("d");
  await kb.putFiles("d", [
    { path: "big.md", content: big("one") },
    { path: "small.md", content: small("one") },
  ]);
  await ingestAgain(root);
  return { root, kb };
}

const NEWEST = {
  bigone: ["big.md"],
  bigtwo: [],
  smallone: [],
  smalltwo: [],
  smallthree: ["small.md"],
};

describe("ingestion from two processes over one folder", () => {
  // Where A stops: after reading the big file (the finding), before reading it, or at the
  // small one — each an interleaving of A's listing and reads with B's uploads and run.
  const GATES = [
    { path: "big.md", when: "after" },
    { path: "big.md", when: "before" },
    { path: "small.md", when: "before" },
    { path: "small.md", when: "after" },
  ] as const;
  for (const gate of GATES) {
    it(`A slow (big and small changed; stopped ${gate.when} reading ${gate.path}), B a moment later (small again, big put back): the newest text of each file is served`, async () => {
      const { root, kb } = await setup();
      await kb.putFiles("d", [
        { path: "big.md", content: big("two") },
        { path: "small.md", content: small("two") },
      ]);
      // A has listed both files when it stops.
      const a = run(root, gate);
      await a.paused;
      await kb.putFiles("d", [
        { path: "small.md", content: small("three") },
        { path: "big.md", content: big("one") },
      ]);
      const b = run(root);
      // B either finishes (it did not wait for A) or waits for A's lease: A goes on either way.
      await Promise.race([b.result.catch(() => {}), b.waiting]);
      a.open();
      const [ra, rb] = await Promise.all([a.result, b.result]);
      expect([ra.startsWith("result"), rb.startsWith("result")], `${ra}\n${rb}`).toEqual([
        true,
        true,
      ]);
      expect((await kb.getInfo("d"))?.ingestionStatus).toBe("ready");
      expect(await served(root)).toEqual(NEWEST);
      // Nothing left to do: one more run finds every file indexed as it is.
      expect(await ingestAgain(root)).toEqual({ processed: 0, unchanged: 2 });
    }, 120_000);
  }

  it("a file changed between a run's listing and its read, then put back: one more run repairs the index", async () => {
    const { root, kb } = await setup();
    await kb.putFiles("d", [{ path: "big.md", content: big("two") }]);
    // The run lists big.md as "two", and reads it only after it changed again ("three"): what
    // it indexes must be recorded as what it read.
    const a = run(root, { path: "big.md", when: "before" });
    await a.paused;
    await kb.putFiles("d", [{ path: "big.md", content: big("three") }]);
    a.open();
    expect(await a.result).toMatch(/^result/);
    // Put back as it was listed: the index holds "three" and must not take it for "two".
    await kb.putFiles("d", [{ path: "big.md", content: big("two") }]);
    await ingestAgain(root);
    const words = await served(root);
    expect(words.bigtwo).toEqual(["big.md"]);
    expect(words).toEqual({ ...words, bigone: [] });
    const rag = new RAGKnowledgeBase({
      index: new BlobSearchIndex({ store: new FsBlobStore({ root }) }),
    });
    rag.useKnowledge(kb);
    expect(
      (await rag.search("bigthree", { k: 5 })).filter((h) => h.text.includes("bigthree")),
    ).toEqual([]);
  }, 120_000);
});
