/**
 * `src/core/knowledge/ingestion.ts` — runs of one knowledge base from several places at once
 * (two managers over one store stand for two processes): one run holds the lease at a time, and
 * a run whose base moved under it plans again instead of stacking its changes over the newer
 * commit.
 */
import {
  BlobKnowledgeBackend,
  BlobSearchIndex,
  KnowledgeIngestionManager,
  LeaseHeldError,
  MemoryBlobStore,
  RAGKnowledgeBase,
} from "../../../src/index.ts";
import { deferred, expectRejects, type TestHarness } from "../../../src/testing/index.ts";

/** A knowledge backend whose read of one path waits for `gate` (once), after reading it. */
class GatedBackend extends BlobKnowledgeBackend {
  gatePath: string | null = null;
  readonly reached = deferred();
  readonly gate = deferred();
  override async getFile(
    domainId: string,
    path: string,
    options: { checksum?: string } = {},
  ): Promise<Uint8Array | null> {
    const bytes = await super.getFile(domainId, path, options);
    if (path === this.gatePath) {
      this.gatePath = null;
      this.reached.resolve();
      await this.gate.promise;
    }
    return bytes;
  }
}

/** One "process": its own backend, index and manager over the shared store and clock. */
function place(
  store: MemoryBlobStore,
  now: () => number,
  leaseWaitMs = 600_000,
  lease = { ms: 1000, renewMs: 3_600_000 },
) {
  const source = new GatedBackend({ store, now, ingestionLeaseMs: lease.ms, mirror: false });
  const rag = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }), knowledge: source });
  const ingestion = new KnowledgeIngestionManager({
    source,
    destination: rag,
    leaseRenewMs: lease.renewMs,
    leaseWaitMs,
  });
  return { source, rag, ingestion };
}

/** The files a search for `word` finds it in. */
async function where(rag: RAGKnowledgeBase, word: string): Promise<string[]> {
  const hits = await rag.search(word, { k: 20 });
  return [...new Set(hits.filter((h) => h.text.includes(word)).map((h) => h.source))].sort();
}

export function ingestionUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`runs of one knowledge base from two places (${runtime})`, () => {
    it("re-plan - a run whose lease ran out while another committed plans again over that commit, never stacks", async () => {
      const store = new MemoryBlobStore();
      let clock = Date.now();
      const now = (): number => clock;
      const a = place(store, now);
      const b = place(store, now);
      await a.source.createKb("d");
      await a.source.putFiles("d", [
        { path: "a.md", content: "# A\n\nalphaone\n" },
        { path: "b.md", content: "# B\n\nbetaone\n" },
      ]);
      await a.ingestion.ingest("d");
      await a.source.putFile("d", "a.md", "# A\n\nalphatwo\n");
      // A lists a.md as "two", reads it, and stalls past its lease.
      a.source.gatePath = "a.md";
      const runA = a.ingestion.ingest("d", { concurrency: 1 });
      await a.source.reached.promise;
      clock += 5000;
      // Meanwhile a.md changes again and B (the lease ran out: B takes it over) commits it.
      await b.source.putFile("d", "a.md", "# A\n\nalphathree\n");
      const rb = await b.ingestion.ingest("d");
      expect([rb.status, rb.filesProcessed]).toEqual(["ready", 1]);
      a.source.gate.resolve();
      const ra = await runA;
      // A's commit was refused (its base moved); it planned again and found nothing to do.
      expect([ra.status, ra.replans, ra.filesProcessed, ra.filesUnchanged]).toEqual([
        "ready",
        1,
        0,
        2,
      ]);
      for (const rag of [a.rag, b.rag, place(store, now).rag]) {
        expect(await where(rag, "alphathree")).toEqual(["a.md"]);
        expect(await where(rag, "alphatwo")).toEqual([]);
        expect(await where(rag, "betaone")).toEqual(["b.md"]);
      }
      expect((await a.source.getInfo("d"))?.ingestionStatus).toBe("ready");
    });

    it("lease - a run waits while another holds the knowledge base, then lists the newest files; a run that cannot wait fails with LeaseHeldError", async () => {
      const store = new MemoryBlobStore();
      const a = place(store, Date.now);
      const b = place(store, Date.now);
      const c = place(store, Date.now, 0);
      await a.source.createKb("d");
      await a.source.putFile("d", "a.md", "# A\n\nalphaone\n");
      a.source.gatePath = "a.md";
      const runA = a.ingestion.ingest("d");
      await a.source.reached.promise;
      await expectRejects(h, c.ingestion.ingest("d"), LeaseHeldError, "is being ingested");
      const waits: string[] = [];
      const runB = b.ingestion.ingest("d", { onWait: (held) => waits.push(held.until) });
      await new Promise((r) => setTimeout(r, 50));
      await b.source.putFile("d", "a.md", "# A\n\nalphatwo\n");
      expect(waits.length).toBeGreaterThan(0);
      a.source.gate.resolve();
      const [ra, rb] = await Promise.all([runA, runB]);
      // B ran after A, over A's commit, with the files as they were when it got the lease.
      expect([ra.filesProcessed, rb.filesProcessed, rb.replans]).toEqual([1, 1, 0]);
      expect(await where(b.rag, "alphatwo")).toEqual(["a.md"]);
      expect(await where(a.rag, "alphaone")).toEqual([]);
    });

    it("heartbeat - a run stuck on one long file keeps its lease: no other run takes it over meanwhile", async () => {
      const store = new MemoryBlobStore();
      const short = { ms: 300, renewMs: 80 };
      const a = place(store, Date.now, 600_000, short);
      const c = place(store, Date.now, 0, short);
      await a.source.createKb("d");
      await a.source.putFile("d", "a.md", "# A\n\nalphaone\n");
      a.source.gatePath = "a.md";
      const runA = a.ingestion.ingest("d");
      await a.source.reached.promise;
      // Three leases' time on one file: the heartbeat renews it all along.
      await new Promise((r) => setTimeout(r, 900));
      await expectRejects(h, c.ingestion.ingest("d"), LeaseHeldError, "is being ingested");
      a.source.gate.resolve();
      expect((await runA).status).toBe("ready");
      expect((await a.source.getInfo("d"))?.ingestionStatus).toBe("ready");
    });
  });
}
