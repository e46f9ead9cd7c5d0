/**
 * Cases for block segments (index segments read by range) over a blob store: a query reads far
 * less than the segment, a damaged block is found and named, a block cache smaller than one
 * query's needs still answers right, and a format-1 segment keeps opening — every answer
 * compared with the whole-load reader's over the same scope. Registered by `conformance` for
 * every blob store it is given.
 * @module
 */
import type { BlobStore } from "../core/blob/types.ts";
import type { ScopeState, StoredChunk } from "../core/knowledge/index/scope-state.ts";
import { itUnless, rejection, type TestHarness } from "./harness.ts";
import { chunk } from "./search-index-helpers.ts";

/** Options of {@link blockSegmentCases}. */
export interface BlockSegmentCasesOptions {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<BlobStore> | BlobStore;
  destroy?(store: BlobStore): Promise<void>;
  /** Why the store cannot take writes (the cases skip). */
  skip?: string;
}

/** `store`, with the bytes its gets return counted (and whether each was ranged). */
export function countingReads(store: BlobStore): {
  store: BlobStore;
  reads: { bytes: number; gets: number; whole: number };
} {
  const reads = { bytes: 0, gets: 0, whole: 0 };
  const wrapped = Object.create(store) as BlobStore;
  wrapped.get = async (key, options) => {
    const body = await store.get(key, options);
    reads.gets++;
    if (!options?.range) reads.whole++;
    if (!body) return body;
    const counted = body.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          reads.bytes += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    return { ...body, body: counted };
  };
  return { store: wrapped, reads };
}

/**
 * A committed scope of `files` (path → chunk texts), as a base segment is taken from.
 * @example
 * const state = await committedScope("kb", { "a.md": ["Reset your password."] });
 */
export async function committedScope(
  domainId: string,
  files: Record<string, string[]>,
): Promise<ScopeState> {
  const { ScopeState, internalId, versionOf } = await import(
    "../core/knowledge/index/scope-state.ts"
  );
  const state = new ScopeState(domainId);
  const changes = new Map();
  for (const [path, texts] of Object.entries(files)) {
    const source = { checksum: `sum-${path}`.padEnd(16, "0"), fingerprint: "fp" };
    const version = versionOf(source);
    const scope = { domainId, generation: "g" };
    const chunks: StoredChunk[] = texts.map((text, i) => ({
      ...chunk(scope, path, i, text, { domain_id: domainId }),
      id: internalId(path, i, version),
    }));
    state.stage(path, version, chunks, null);
    changes.set(path, { ...source, ids: chunks.map((c) => c.id) });
  }
  state.commit(changes);
  return state;
}

const SYLLABLES = ["ba", "ko", "ri", "tu", "me", "sa", "lo", "vi", "da", "pe", "nu", "zo"];

/** A deterministic corpus: `files` files of `chunks` chunks of 40 made-up words each. */
function corpus(files: number, chunks: number): Record<string, string[]> {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const word = (): string => {
    // Skewed: a few words are common, most are rare (as in text).
    const rank = Math.floor(400 ** (next(1000) / 1000));
    return `${SYLLABLES[rank % 12]}${SYLLABLES[Math.floor(rank / 12) % 12]}${SYLLABLES[Math.floor(rank / 144) % 12]}x`;
  };
  const out: Record<string, string[]> = {};
  for (let f = 0; f < files; f++)
    out[`docs/f${f}.md`] = Array.from({ length: chunks }, () =>
      Array.from({ length: 40 }, word).join(" "),
    );
  return out;
}

/** The first term of a block segment's dictionary (its postings start in block 0). */
function firstTerm(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + headLength))) as {
    sections: Record<string, [number, number]>;
    postings: [number, number];
  };
  const resident = 20 + headLength;
  const [at] = header.sections.termOffsets as [number, number];
  const end = new DataView(bytes.buffer, bytes.byteOffset + resident + at).getUint32(4, true);
  const [terms] = header.sections.terms as [number, number];
  return new TextDecoder().decode(bytes.subarray(resident + terms, resident + terms + end));
}

/** Registers the block-segment cases. */
export function blockSegmentCases(h: TestHarness, options: BlockSegmentCasesOptions): void {
  const { describe, expect, beforeEach, afterEach } = h;
  const itWrites = itUnless(h, options.skip ?? false);
  describe(`Block segments read by range: ${options.name}`, () => {
    let store: BlobStore;
    let state: ScopeState;
    let blocks: Uint8Array;
    let whole: Uint8Array;
    const files = corpus(30, 40);
    // Words of a few chunks, one to four of them: common and rare terms alike.
    const queries = [0, 3, 7, 11, 19, 23, 29].map((f, i) =>
      ((files[`docs/f${f}.md`] as string[])[i] as string)
        .split(" ")
        .slice(i, i + 1 + (i % 4))
        .join(" "),
    );
    beforeEach(async () => {
      if (options.skip) return;
      store = await options.create();
      state ??= await committedScope("kb", files);
      const { encodeBlockBase } = await import("../core/knowledge/index/block-segment.ts");
      const { encodeBase } = await import("../core/knowledge/index/segment.ts");
      blocks ??= await encodeBlockBase(state);
      whole ??= await encodeBase(state, false);
      await store.put("idx/blocks.seg", blocks);
      await store.put("idx/whole.seg", whole);
    });
    afterEach(async () => {
      if (!options.skip && options.destroy) await options.destroy(store);
    });
    const reader = async (key: string, s: BlobStore, cacheBytes?: number) => {
      const { openSegmentReader } = await import("../core/knowledge/index/segment-reader.ts");
      return openSegmentReader(s, key, cacheBytes === undefined ? {} : { cacheBytes });
    };
    const answers = async (
      r: Awaited<ReturnType<typeof reader>>,
      perSource = false,
    ): Promise<string[][]> => {
      const out: string[][] = [];
      for (const q of queries) {
        const hits = await r.search(q, { k: 20, perSource });
        const texts = await Promise.all(
          hits.slice(0, 3).map(async (hit) => (await hit.chunk()).text),
        );
        out.push([...hits.map((hit) => `${hit.id} ${hit.score}`), ...texts]);
      }
      return out;
    };

    itWrites(
      "blocks.range-reads - a query reads its blocks by range, far less than the segment",
      async () => {
        const counted = countingReads(store);
        const r = await reader("idx/blocks.seg", counted.store);
        expect(r.format).toBe(2);
        const opened = counted.reads.bytes;
        const hits = await r.search(queries[1] as string, { k: 5 });
        expect(hits.length).toBeGreaterThan(0);
        await hits[0]?.chunk();
        expect(counted.reads.whole).toBe(0);
        expect(counted.reads.bytes - opened).toBeGreaterThan(0);
        expect(counted.reads.bytes * 4).toBeLessThan(blocks.length);
        // The same answers as the segment read whole.
        const old = await reader("idx/whole.seg", store);
        expect(await answers(r)).toEqual(await answers(old));
        expect(await answers(r, true)).toEqual(await answers(old, true));
      },
    );

    itWrites(
      "blocks.damaged-block - a damaged postings or text block is found and named",
      async () => {
        const term = firstTerm(blocks);
        const view = new DataView(blocks.buffer, blocks.byteOffset);
        const headLength = view.getUint32(8, true);
        const header = JSON.parse(
          new TextDecoder().decode(blocks.subarray(20, 20 + headLength)),
        ) as { postings: [number, number]; text: [number, number] };
        const postings = blocks.slice();
        postings[header.postings[0] + 1] = (postings[header.postings[0] + 1] as number) ^ 0xff;
        await store.put("idx/postings.seg", postings);
        const r = await reader("idx/postings.seg", store);
        const error = (await rejection(r.search(term, { k: 5 }))) as Error;
        expect(error?.name).toBe("SegmentError");
        expect(error.message).toContain("postings block 0");
        expect(error.message).toContain("idx/postings.seg");
        // A damaged text block: the query answers, the chunk in it is refused, by name.
        const text = blocks.slice();
        text[header.text[0] + 3] = (text[header.text[0] + 3] as number) ^ 0xff;
        await store.put("idx/text.seg", text);
        const t = await reader("idx/text.seg", store);
        const word = ((files["docs/f0.md"] as string[])[0] as string).split(" ")[0] as string;
        const hits = await t.search(word, { k: 2000 });
        const first = hits.find((hit) => hit.id.startsWith("docs/f0.md\u001f0\u001f"));
        expect(first).toBeDefined();
        const refused = (await rejection((first as (typeof hits)[number]).chunk())) as Error;
        expect(refused.message).toContain("text block 0");
        // The header's own checksum.
        const front = blocks.slice();
        front[25] = (front[25] as number) ^ 0xff;
        await store.put("idx/front.seg", front);
        expect(((await rejection(reader("idx/front.seg", store))) as Error).message).toContain(
          "checksum",
        );
      },
    );

    itWrites(
      "blocks.small-cache - a cache smaller than one block still answers right",
      async () => {
        const counted = countingReads(store);
        const tiny = await reader("idx/blocks.seg", counted.store, 1);
        const old = await reader("idx/whole.seg", store);
        const expected = await answers(old);
        expect(await answers(tiny)).toEqual(expected);
        const before = counted.reads.bytes;
        expect(await answers(tiny)).toEqual(expected);
        // Nothing was kept: the second round read its blocks again.
        expect(counted.reads.bytes - before).toBeGreaterThan(0);
        const roomy = await reader("idx/blocks.seg", counted.store, 64 << 20);
        await answers(roomy);
        const warm = counted.reads.bytes;
        expect(await answers(roomy)).toEqual(expected);
        expect(counted.reads.bytes).toBe(warm);
      },
    );

    itWrites("blocks.old-segment - a format-1 segment still opens (read whole)", async () => {
      const r = await reader("idx/whole.seg", store);
      expect(r.format).toBe(1);
      expect(r.size).toBe(30 * 40);
      const word = queries[0] as string;
      const hits = await r.search(word, { k: 3 });
      expect(hits.length).toBe(3);
      expect((await hits[0]?.chunk())?.text).toContain(word);
    });
  });
}
