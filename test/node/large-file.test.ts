// A 50 MB knowledge file: uploaded as a stream to the file backend without being held in memory
// (peak ArrayBuffer memory is sampled during the upload), then ingested and searched.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileKnowledgeBackend } from "../../src/adapters/fs/index.ts";
import { KnowledgeIngestionManager, RAGKnowledgeBase } from "../../src/index.ts";

const SIZE = 50 * 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), "botknobs-large-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Markdown generated on demand, 64 KiB at a time, hashed independently with node:crypto. */
function generated(): { stream: ReadableStream<Uint8Array>; digest: () => string } {
  const hash = createHash("sha256");
  const encoder = new TextEncoder();
  let sent = 0;
  let section = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= SIZE) {
        controller.close();
        return;
      }
      let text = "";
      while (text.length < 65_536) {
        section++;
        text += `## Section ${section}\n\nParagraph ${section} talks about topic number ${section} and nothing else. It repeats to fill space with plain sentences.\n\n`;
      }
      let bytes = encoder.encode(text);
      if (sent + bytes.length > SIZE) bytes = bytes.subarray(0, SIZE - sent);
      sent += bytes.length;
      hash.update(bytes);
      controller.enqueue(bytes);
    },
  });
  return { stream, digest: () => hash.digest("hex") };
}

describe("a 50 MB file", () => {
  const backend = new FileKnowledgeBackend({ path: root });

  it("is streamed to disk, not held in memory, with the right checksum", async () => {
    await backend.initialize();
    await backend.createKb("big");
    const { stream, digest } = generated();
    globalThis.gc?.();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 2);
    const file = await backend.putFile("big", "docs/huge.md", stream);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    expect(file.sizeBytes).toBe(SIZE);
    expect(file.checksum).toBe(digest());
    expect(statSync(join(root, "big/docs/huge.md")).size).toBe(SIZE);
    // Holding the file would add ≥ 50 MB; streaming keeps a few buffers in flight.
    expect(peak - baseline).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);

  it("ingests and is searchable", async () => {
    const kb = await RAGKnowledgeBase.fromConfig({});
    const result = await new KnowledgeIngestionManager({ source: backend, destination: kb }).ingest(
      "big",
    );
    expect(result.errors.map((e) => e.error.slice(0, 300))).toEqual([]);
    expect(result.chunksCreated).toBeGreaterThan(100_000);
    const [hit] = await kb.query("topic number 250000", { k: 1 });
    expect(hit?.headingPath).toBe("Section 250000");
  }, 300_000);
});
