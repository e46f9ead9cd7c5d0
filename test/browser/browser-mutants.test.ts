// The conformance suites catch the browser adapters' own mistakes, inside Chromium: each source
// mutant of the kit for the IndexedDB stores and the BroadcastChannel bus
// (test/mutants/browser-source-mutants.ts) runs its port's conformance suites through a recording
// harness over real IndexedDB and BroadcastChannel, and the named cases must fail; the real
// adapters pass the same cases. By default only the named cases run; with BOTKNOBS_MUTANTS=full
// (`npm run mutants -- browser`) every case of the port's suites.
import { describe, expect, inject, it } from "vitest";
import type {
  BroadcastChannelEventBus,
  IndexedDBBlobStore,
  IndexedDBRecordStore,
} from "../../src/adapters/browser/index.ts";
import { deleteBrowserDatabase } from "../../src/adapters/browser/index.ts";
import type { BlobStore, EventBus, RecordStore } from "../../src/index.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { caseIds, recordingHarness } from "../mutants/harness.ts";
import {
  BROWSER_ADAPTERS,
  type MutantAdapter,
  SOURCE_MUTANTS,
  type SourceMutant,
} from "../mutants/source-mutants.ts";

const mode = inject("mutants");
const full = mode === "full" || mode === "any";
const fresh = (): string => `botknobs-mutant-${crypto.randomUUID().slice(0, 12)}`;

type Stores = typeof IndexedDBRecordStore | typeof IndexedDBBlobStore;
type Bus = typeof BroadcastChannelEventBus;

/** A store port over the module's class: a database per case, its second instance on the same. */
function storePort<T extends RecordStore | BlobStore>(Store: Stores) {
  const opened = new Map<string, (RecordStore | BlobStore)[]>();
  const name = (s: RecordStore | BlobStore): string => (s as IndexedDBRecordStore).database.dbName;
  const make = (dbName: string): T => {
    const s = new Store({ dbName }) as unknown as T;
    opened.set(dbName, [...(opened.get(dbName) ?? []), s]);
    return s;
  };
  return {
    create: () => make(fresh()),
    reopen: (s: T) => make(name(s)),
    destroy: async (s: T) => {
      for (const o of opened.get(name(s)) ?? []) await o.close();
      opened.delete(name(s));
      await deleteBrowserDatabase(name(s));
    },
  };
}

/** The bus port over the module's class: a channel and database per case; peers on the same. */
function busPort(Bus: Bus) {
  let channel = "";
  let dbName = "";
  const made = (extra: { topics?: string[] } = {}): EventBus =>
    new Bus({ channel, dbName, ...extra });
  return {
    capabilities: { maxEventBytes: 65_536 },
    create: () => {
      channel = fresh();
      dbName = fresh();
      return made();
    },
    createPeer: () => made(),
    createFiltered: (topics: string[]) => made({ topics }),
    disconnect: async (b: EventBus) => {
      (b as BroadcastChannelEventBus).suspend();
      return () => void (b as BroadcastChannelEventBus).resume();
    },
  };
}

const PORTS: Record<string, (h: TestHarness, m: Record<string, unknown>) => void> = {
  "IndexedDB record store": (h, m) =>
    conformance(h, {
      name: "mutant",
      recordStore: storePort<RecordStore>(m.IndexedDBRecordStore as Stores),
    }),
  "IndexedDB blob store": (h, m) =>
    conformance(h, {
      name: "mutant",
      blobStore: storePort<BlobStore>(m.IndexedDBBlobStore as Stores),
    }),
  "BroadcastChannel event bus": (h, m) =>
    conformance(h, { name: "mutant", eventBus: busPort(m.BroadcastChannelEventBus as Bus) }),
};

/** Runs the port's conformance suites against the mutant (or the real adapter); the failed case ids. */
async function failedCases(mutant: SourceMutant, real = false): Promise<string[]> {
  // The page asks Vite's server for `mutant:<id>` by its id (`/@id/`): the mutant plugin loads it.
  const module = (await import(
    /* @vite-ignore */ real ? `../../${mutant.entry}` : `/@id/mutant:${mutant.id}`
  )) as Record<string, unknown>;
  const h = recordingHarness(expect as unknown as TestHarness["expect"], {
    timeoutMs: 30_000,
    ...(full ? {} : { only: (id: string) => mutant.caughtBy.includes(id) }),
  });
  h.describe("port", () => (PORTS[mutant.adapter] as (typeof PORTS)[string])(h, module));
  return caseIds(await h.run(), "failed");
}

describe("browser adapter source mutants inside Chromium: each is caught by its port's conformance cases", () => {
  const here = SOURCE_MUTANTS.filter((m) => BROWSER_ADAPTERS.includes(m.adapter));
  it("every browser mutant has its port here", () => {
    expect(here.length).toBeGreaterThanOrEqual(6);
    for (const m of here) expect([m.id, m.adapter in PORTS]).toEqual([m.id, true]);
  });
  for (const adapter of new Set<MutantAdapter>(here.map((m) => m.adapter))) {
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
