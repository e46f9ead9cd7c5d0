// The conformance suites catch the adapters' own mistakes: each source mutant of the kit
// (source-mutants.ts: the adapter's source with one bug patched in) runs its port's conformance
// suites through a recording harness, and the named conformance cases must fail. Here the
// adapters that run on Node (files, memory, the persisted index); the Cloudflare ones in
// test/workerd/adapter-mutants.test.ts. By default only the named cases run (fast, inside
// `npm test`); with BOTKNOBS_MUTANTS=full every case of the port's suites runs against each
// mutant (`npm run mutants`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect as jestExpect } from "expect";
import { describe, expect, it } from "vitest";
import { FileKnowledgeBackend, FileRecordStore, FsBlobStore } from "../../src/adapters/fs/index.ts";
import type * as BlobIndexModule from "../../src/core/knowledge/index/blob-search-index.ts";
import { conformance, searchIndexSuite, type TestHarness } from "../../src/testing/index.ts";
import { fsConformance } from "../node/node-suites.ts";
import { caseIds, recordingHarness } from "./harness.ts";
import {
  type MutantAdapter,
  SOURCE_MUTANTS,
  type SourceMutant,
  WORKERD_ADAPTERS,
} from "./source-mutants.ts";

/**
 * `""`: only each mutant's named cases run (inside `npm test`); `full`: every case of the port's
 * suites, the named ones must fail; `any`: every case, any failure catches it (to measure suites
 * that do not have the named cases, e.g. older ones).
 */
const mode = process.env.BOTKNOBS_MUTANTS ?? "";
const full = mode === "full" || mode === "any";

/** Registers the conformance suites of the mutant's port, over the patched module. */
const PORTS: Partial<
  Record<MutantAdapter, (h: TestHarness, module: Record<string, unknown>) => void>
> = {
  "file record store": (h, m) =>
    fsConformance(h, "mutant", {
      FileRecordStore: m.FileRecordStore as typeof FileRecordStore,
      FsBlobStore,
      FileKnowledgeBackend,
    }),
  "file blob store": (h, m) =>
    fsConformance(h, "mutant", {
      FileRecordStore,
      FsBlobStore: m.FsBlobStore as typeof FsBlobStore,
      FileKnowledgeBackend,
    }),
  "memory blob store": (h, m) =>
    conformance(h, {
      name: "mutant",
      blobStore: { create: () => new (m.MemoryBlobStore as new () => FsBlobStore)() },
    }),
  // The index persisted in a file blob store, reopened over the same folder (as conformance()
  // runs it over a blob store).
  "persisted search index": (h, m) => {
    const { BlobSearchIndex } = m as unknown as typeof BlobIndexModule;
    const roots = new WeakMap<object, string>();
    const over = (root: string) => {
      const index = new BlobSearchIndex({ store: new FsBlobStore({ root }) });
      roots.set(index, root);
      return index;
    };
    searchIndexSuite(h, {
      name: "mutant",
      create: () => over(mkdtempSync(join(tmpdir(), "botknobs-mutant-"))),
      reopen: (index) => over(roots.get(index) as string),
      destroy: async (index) => {
        await index.close?.();
        rmSync(roots.get(index) as string, { recursive: true, force: true });
      },
      capabilities: { persistent: true },
    });
  },
};

/**
 * Runs the port's conformance suites against the mutant; the ids of the cases that failed.
 * @example
 * await failedCases(mutantById("fs-blobs.if-match-missing")); // ["put.if-match-missing"]
 * await failedCases(mutantById("fs-blobs.if-match-missing"), true); // [] (the real adapter)
 */
async function failedCases(mutant: SourceMutant, real = false): Promise<string[]> {
  const module = (await import(
    /* @vite-ignore */ real ? `../../${mutant.entry}` : `mutant:${mutant.id}`
  )) as Record<string, unknown>;
  const h = recordingHarness(jestExpect as unknown as TestHarness["expect"], {
    timeoutMs: 20_000,
    ...(full ? {} : { only: (id: string) => mutant.caughtBy.includes(id) }),
  });
  (PORTS[mutant.adapter] as NonNullable<(typeof PORTS)[MutantAdapter]>)(h, module);
  return caseIds(await h.run(), "failed");
}

describe("adapter source mutants on Node: each is caught by its port's conformance cases", () => {
  it("every mutant of the kit has a port here or runs in workerd", () => {
    for (const m of SOURCE_MUTANTS)
      expect([m.id, m.adapter in PORTS || WORKERD_ADAPTERS.includes(m.adapter)]).toEqual([
        m.id,
        true,
      ]);
  });
  const here = SOURCE_MUTANTS.filter((m) => m.adapter in PORTS);
  // The same cases pass on the real adapters: a mutant fails them for its bug, not the wiring.
  for (const adapter of new Set(here.map((m) => m.adapter))) {
    const mutants = here.filter((m) => m.adapter === adapter);
    it(`the real ${adapter} passes the cases that catch its mutants`, async () => {
      const all = { ...(mutants[0] as SourceMutant), caughtBy: mutants.flatMap((m) => m.caughtBy) };
      expect(await failedCases(all, true)).toEqual([]);
    }, 600_000);
  }
  for (const mutant of here) {
    it(`${mutant.adapter} · ${mutant.id} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      const failed = await failedCases(mutant);
      if (mode === "any") expect(failed.length).toBeGreaterThan(0);
      else expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
    }, 600_000);
  }
});
