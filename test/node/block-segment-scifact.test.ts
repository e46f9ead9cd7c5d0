// Block segments (an index segment read by range) over a real corpus: a SciFact subset written
// both ways, every train claim's top 100 from the block reader equal — ids, scores, order — to
// the whole-load reader's (the index as `BlobSearchIndex` loads it today), chunks one per source
// or not, through a file-system store and a block cache far smaller than the segment.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScifact, splitChunks } from "../../bench/scifact.ts";
import { FsBlobStore } from "../../src/adapters/node/index.ts";
import { encodeBlockBase } from "../../src/core/knowledge/index/block-segment.ts";
import { encodeBase } from "../../src/core/knowledge/index/segment.ts";
import { openSegmentReader } from "../../src/core/knowledge/index/segment-reader.ts";
import { committedScope, countingReads } from "../../src/testing/block-segment-cases.ts";
import { DATA_DIR, hasData, NO_DATA } from "../fixtures/data.ts";

const root = mkdtempSync(join(tmpdir(), "bk-blocks-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!hasData())("block segments over SciFact", () => {
  if (!hasData()) console.log(NO_DATA);
  it("the top 100 of every train claim equals the whole-load reader's", async () => {
    const { corpus, queries } = loadScifact(join(DATA_DIR, "scifact"));
    const files: Record<string, string[]> = {};
    for (const d of corpus.slice(0, 2000))
      files[`${d.id}.md`] = splitChunks(`${d.title}. ${d.text}`);
    const state = await committedScope("scifact", files);
    const store = new FsBlobStore({ root });
    await store.put("blocks.seg", await encodeBlockBase(state));
    const whole = await encodeBase(state, false);
    await store.put("whole.seg", whole);
    const counted = countingReads(store);
    const blocks = await openSegmentReader(counted.store, "blocks.seg", { cacheBytes: 256 << 10 });
    const old = await openSegmentReader(store, "whole.seg");
    expect([blocks.format, old.format]).toEqual([2, 1]);
    expect(blocks.size).toBe(old.size);
    let compared = 0;
    for (const q of queries.slice(0, 300)) {
      for (const perSource of [false, true]) {
        const a = await blocks.search(q.text, { k: 100, perSource });
        const b = await old.search(q.text, { k: 100, perSource });
        expect(a.map((h) => [h.id, h.score])).toEqual(b.map((h) => [h.id, h.score]));
        if (a[0] && b[0]) expect((await a[0].chunk()).text).toBe((await b[0].chunk()).text);
        compared += a.length;
      }
    }
    expect(compared).toBeGreaterThan(300 * 100);
    // Every read was ranged, and a query read on average far less than the segment.
    expect(counted.reads.whole).toBe(0);
    expect(counted.reads.bytes / (300 * 2)).toBeLessThan(whole.length / 10);
  });
});
