/**
 * `src/core/knowledge/ingest/` — the one ingestion step (`ingestBatch`) that every scheduler
 * runs, and the status bookkeeping of a run (`IngestionClaim`), on their own: batch semantics,
 * atomicity, unchanged files, byte budgets, errors, a knowledge base deleted under a run.
 */
import { emptyCounters, ingestBatch } from "../../../src/core/knowledge/ingest/batch.ts";
import { IngestionClaim } from "../../../src/core/knowledge/ingest/claim.ts";
import type {
  IngestCounters,
  IngestFile,
  IngestTarget,
} from "../../../src/core/knowledge/ingest/types.ts";
import { InMemoryKnowledgeBackend, NotFoundError, RAGKnowledgeBase } from "../../../src/index.ts";
import { expectRejects, type TestHarness } from "../../../src/testing/index.ts";

const counters = (): IngestCounters => emptyCounters();

const ANIMALS = ["Aardvarks", "Badgers", "Capybaras", "Dingoes", "Echidnas"];

/** A knowledge base with one file per animal (`0.md` … `4.md`), and a fresh destination. */
async function setup(): Promise<{
  source: InMemoryKnowledgeBackend;
  target: () => IngestTarget;
  files: () => Promise<IngestFile[]>;
}> {
  const source = new InMemoryKnowledgeBackend();
  const info = await source.createKb("zoo");
  for (const [i, name] of ANIMALS.entries())
    await source.putFile("zoo", `${i}.md`, `# ${name}\n\n${name} live in the zoo.`);
  const destination = new RAGKnowledgeBase({ knowledge: source });
  const target = (): IngestTarget => ({
    source,
    destination,
    domainId: "zoo",
    generation: info.generation,
  });
  return { source, target, files: () => source.listFiles("zoo") };
}

/** Runs `files` in batches of `size`, as a scheduler would (each batch after the last one). */
async function inBatches(
  target: IngestTarget,
  files: IngestFile[],
  size: number,
  c: IngestCounters,
  extra: { maxBytes?: number; clearExisting?: boolean } = {},
): Promise<number> {
  let done = 0;
  let batches = 0;
  for (;;) {
    const slice = files.slice(done, done + size);
    const { taken, last } = await ingestBatch(
      target,
      slice,
      {
        first: done === 0,
        endsRun: done + slice.length >= files.length,
        keep: () => files.map((f) => f.path),
        ...extra,
      },
      c,
    );
    done += taken;
    batches++;
    if (last) return batches;
  }
}

/** What the index holds for the target: each file's checksum and chunk count, sorted. */
async function held(target: IngestTarget): Promise<string[]> {
  const sources = await target.destination.index.sources(target);
  return [...sources].map(([p, s]) => `${p}:${s.checksum.slice(0, 8)}:${s.chunks}`).sort();
}

/** Registers the cases with `h`. */
export function ingestUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`the ingestion step (${runtime})`, () => {
    it("batches - two batches and one give the same index and the same counts", async () => {
      const one = await setup();
      const two = await setup();
      const c1 = counters();
      const c2 = counters();
      expect(await inBatches(one.target(), await one.files(), 5, c1)).toBe(1);
      expect(await inBatches(two.target(), await two.files(), 3, c2)).toBe(2);
      expect(await held(two.target())).toEqual(await held(one.target()));
      expect(await held(one.target())).toHaveLength(5);
      expect(c2).toEqual(c1);
      expect(c1.filesProcessed).toBe(5);
      const hits = await two.target().destination.search("capybaras");
      expect(hits[0]?.source).toBe("2.md");
    });

    it("atomic - a batch that throws mid-way commits nothing and leaves the counters as they were", async () => {
      const { source, target, files } = await setup();
      const c = counters();
      await inBatches(target(), await files(), 5, c);
      const before = await held(target());
      const counted = structuredClone(c);
      for (const [i, name] of ANIMALS.entries())
        await source.putFile("zoo", `${i}.md`, `# ${name}\n\n${name} moved to the farm.`);
      let seen = 0;
      const failing = ingestBatch(
        target(),
        await files(),
        {
          first: true,
          endsRun: true,
          keep: () => [],
          onFile: () => {
            if (++seen === 3) throw new Error("renewal failed");
          },
        },
        c,
      );
      await expectRejects(h, failing, Error, "renewal failed");
      expect(await held(target())).toEqual(before);
      expect(c).toEqual(counted);
      expect(await target().destination.search("farm")).toEqual([]);
    });

    it("changed since listed - a file is recorded as the version read, so put back as listed it is read again", async () => {
      const { source, target, files } = await setup();
      const list = await files();
      const listed = list.find((f) => f.path === "0.md")?.checksum as string;
      const changed = await source.putFile("zoo", "0.md", "# Aardvarks\n\nAardvarks moved.");
      await inBatches(target(), list, 5, counters());
      const indexed = await target().destination.index.sources(target());
      expect(indexed.get("0.md")?.checksum).toBe(changed.checksum);
      await source.putFile("zoo", "0.md", `# ${ANIMALS[0]}\n\n${ANIMALS[0]} live in the zoo.`);
      const again = await files();
      expect(again.find((f) => f.path === "0.md")?.checksum).toBe(listed);
      const c = counters();
      await inBatches(target(), again, 5, c);
      expect([c.filesProcessed, c.filesUnchanged]).toEqual([1, 4]);
    });

    it("unchanged - a second run, or a committed batch run again, counts its files unchanged", async () => {
      const { source, target, files } = await setup();
      const first = counters();
      await inBatches(target(), await files(), 2, first);
      const again = counters();
      await inBatches(target(), await files(), 2, again);
      expect(again).toEqual({ ...counters(), filesUnchanged: 5 });
      // A batch committed but not recorded (a crash between the two) is found already indexed.
      await source.putFile("zoo", "0.md", "# Aardvarks\n\nAardvarks dig burrows.");
      const list = await files();
      const redo = counters();
      for (let i = 0; i < 2; i++)
        await ingestBatch(
          target(),
          list.slice(0, 2),
          { first: true, endsRun: false, keep: () => [] },
          redo,
        );
      expect(redo.filesProcessed).toBe(1);
      expect(redo.filesUnchanged).toBe(3);
    });

    it("force - every file again; the first batch rebuilds from nothing, the next ones add", async () => {
      const { target, files } = await setup();
      await inBatches(target(), await files(), 5, counters());
      const c = counters();
      const list = await files();
      let done = 0;
      for (const size of [2, 3]) {
        await ingestBatch(
          target(),
          list.slice(done, done + size),
          {
            first: done === 0,
            endsRun: done + size >= 5,
            keep: () => list.map((f) => f.path),
            force: true,
          },
          c,
        );
        done += size;
      }
      expect(c.filesProcessed).toBe(5);
      expect(c.filesUnchanged).toBe(0);
      expect(await held(target())).toHaveLength(5);
    });

    it("maxBytes - a batch stops beginning files past the budget (one at least); the next goes on", async () => {
      const { target, files } = await setup();
      const list = await files();
      const c = counters();
      const first = await ingestBatch(
        target(),
        list,
        { first: true, endsRun: true, keep: () => list.map((f) => f.path), maxBytes: 1 },
        c,
      );
      expect([first.taken, first.last, typeof first.version]).toEqual([1, false, "string"]);
      expect(await held(target())).toHaveLength(1);
      expect(await inBatches(target(), list, 5, counters(), { maxBytes: 60 })).toBeGreaterThan(1);
      expect(await held(target())).toHaveLength(5);
    });

    it("clearExisting - files gone from the source leave with the last batch only", async () => {
      const { source, target, files } = await setup();
      await inBatches(target(), await files(), 5, counters());
      await source.deleteFile("zoo", "4.md");
      const list = await files();
      const c = counters();
      const keep = (): string[] => list.map((f) => f.path);
      await ingestBatch(target(), list.slice(0, 2), { first: true, endsRun: false, keep }, c);
      expect(await held(target())).toHaveLength(5);
      await ingestBatch(target(), list.slice(2), { first: false, endsRun: true, keep }, c);
      expect((await held(target())).map((s) => s.split(":")[0])).toEqual([
        "0.md",
        "1.md",
        "2.md",
        "3.md",
      ]);
      expect(c.filesDeleted).toBe(1);
      const kept = counters();
      await source.deleteFile("zoo", "3.md");
      await inBatches(target(), await files(), 5, kept, { clearExisting: false });
      expect(await held(target())).toHaveLength(4);
      expect(kept.filesDeleted).toBe(0);
    });

    it("errors - a listed file whose content is missing is an error; the batch goes on; maxErrors caps the list", async () => {
      const { target, files } = await setup();
      const ghosts: IngestFile[] = ["x.md", "y.md", "z.md"].map((path) => ({
        path,
        checksum: "0".repeat(64),
        metadata: {},
      }));
      const list = [...ghosts, ...(await files())];
      const c = counters();
      await ingestBatch(
        target(),
        list,
        { first: true, endsRun: true, keep: () => [], maxErrors: 2, concurrency: 3 },
        c,
      );
      expect(c.errors).toHaveLength(2);
      expect(c.errors[0]?.error).toContain("listed but its content is missing");
      expect(c.filesProcessed).toBe(5);
      expect(await held(target())).toHaveLength(5);
    });

    it("deleted - a knowledge base gone mid-run fails the batch with NotFoundError and leaves nothing indexed", async () => {
      const { source, target, files } = await setup();
      const list = await files();
      await ingestBatch(
        target(),
        list.slice(0, 2),
        { first: true, endsRun: false, keep: () => [] },
        counters(),
      );
      expect(await held(target())).toHaveLength(2);
      await source.deleteKb("zoo");
      await source.createKb("zoo");
      await source.putFile("zoo", "2.md", "# New\n\nA new zoo.");
      const c = counters();
      await expectRejects(
        h,
        ingestBatch(target(), list.slice(2), { first: false, endsRun: true, keep: () => [] }, c),
        NotFoundError,
        "was deleted",
      );
      expect(await held(target())).toEqual([]);
      expect(c).toEqual(counters());
    });

    it("abort - the batch rejects with the signal's reason and commits nothing", async () => {
      const { target, files } = await setup();
      const controller = new AbortController();
      const running = ingestBatch(
        target(),
        await files(),
        {
          first: true,
          endsRun: true,
          keep: () => [],
          signal: controller.signal,
          onFile: () => controller.abort(),
        },
        counters(),
      );
      let name = "";
      await running.catch((e: unknown) => {
        name = (e as Error).name;
      });
      expect(name).toBe("AbortError");
      expect(await held(target())).toEqual([]);
    });
  });

  describe(`the claim of a run (${runtime})`, () => {
    it("claim, renew, finish - ingesting, then ready or error with the errors as JSON", async () => {
      const { source, target } = await setup();
      const claim = new IngestionClaim(target(), { renewMs: 60_000 });
      await claim.claim();
      expect((await source.getInfo("zoo"))?.ingestionStatus).toBe("ingesting");
      expect(await claim.finish(counters())).toBe("ready");
      expect((await source.getInfo("zoo"))?.ingestionStatus).toBe("ready");
      const failed = { errors: [{ file: "a.md", error: "bad" }] };
      expect(await claim.finish(failed)).toBe("error");
      const info = await source.getInfo("zoo");
      expect(info?.ingestionStatus).toBe("error");
      expect(JSON.parse(info?.ingestionError ?? "null")).toEqual(failed.errors);
      // Renewed only once renewMs passed since the last write: here, not yet.
      await claim.renew();
      expect((await source.getInfo("zoo"))?.ingestionStatus).toBe("error");
      await new IngestionClaim(target()).renew();
      expect((await source.getInfo("zoo"))?.ingestionStatus).toBe("ingesting");
    });

    it("a knowledge base deleted meanwhile - the write rejects, and the generation's index goes", async () => {
      const { source, target, files } = await setup();
      await inBatches(target(), await files(), 5, counters());
      expect(await held(target())).toHaveLength(5);
      await source.deleteKb("zoo");
      await source.createKb("zoo");
      await expectRejects(h, new IngestionClaim(target()).finish(counters()), NotFoundError);
      expect(await held(target())).toEqual([]);
      expect((await source.getInfo("zoo"))?.ingestionStatus).not.toBe("ready");
      // restore never rejects.
      await new IngestionClaim(target()).restore("ready", null);
    });
  });
}
