// The suites catch broken adapters: every mutant record store fails recordStoreSuite (the cases
// named are among those that fail), the registry suite over it is run too, and the real
// MemoryRecordStore passes both suites in full. A mutant that survives fails this test.
import { expect as jestExpect } from "expect";
import { describe, expect, it } from "vitest";
import { MemoryRecordStore } from "../../src/core/registry/memory-record-store.ts";
import type { RecordStore } from "../../src/core/registry/record-store.ts";
import { StoreRegistryBackend } from "../../src/index.ts";
import {
  recordStoreSuite,
  registryBackendSuite,
  type TestHarness,
} from "../../src/testing/index.ts";
import { type CaseResult, caseIds, recordingHarness } from "./harness.ts";
import {
  DropsHistoryVersion,
  DropsWriteContext,
  IgnoresExpectedVersion,
  IgnoresWhere,
  OverlappingPages,
  RevisionStuckOnDelete,
  StaleList,
  TouchMovesRevision,
  TouchRevertsPut,
} from "./record-stores.ts";

const h = (): ReturnType<typeof recordingHarness> =>
  recordingHarness(jestExpect as unknown as TestHarness["expect"]);

async function storeSuite(name: string, create: () => RecordStore): Promise<CaseResult[]> {
  const harness = h();
  recordStoreSuite(harness, { name, create });
  return harness.run();
}

async function registrySuite(name: string, create: () => RecordStore): Promise<CaseResult[]> {
  const harness = h();
  registryBackendSuite(harness, {
    name,
    create: ({ now, eventBus, historyLimit }) =>
      new StoreRegistryBackend({ store: create(), now, eventBus, historyLimit }),
  });
  return harness.run();
}

/**
 * Each mutant, the record-store cases that must catch it, and the registry-suite cases (over a
 * StoreRegistryBackend on it) that must too. A blind put shows in the registry only across
 * processes (writes in one process queue per id), so only the store suite can catch it here.
 */
const MUTANTS: {
  name: string;
  create: () => RecordStore;
  caughtBy: string[];
  registry: string[];
}[] = [
  {
    name: "ignores expectedVersion",
    create: () => new IgnoresExpectedVersion(),
    caughtBy: ["put.create-only-when-absent", "put.compare-and-set", "concurrency.cas"],
    registry: [],
  },
  {
    name: "stale list",
    create: () => new StaleList(),
    caughtBy: ["list.fresh"],
    registry: ["concurrency.mixed-read-write"],
  },
  {
    name: "overlapping pages",
    create: () => new OverlappingPages(),
    caughtBy: ["list.pages", "list.walk-under-writes"],
    registry: ["list.pages"],
  },
  {
    name: "touch reverts a put",
    create: () => new TouchRevertsPut(),
    caughtBy: ["touch.never-reverts-put", "touch.needs-version"],
    registry: ["get.touch-never-reverts-write"],
  },
  {
    name: "drops a history version",
    create: () => new DropsHistoryVersion(),
    caughtBy: ["history.kept", "history.pages", "history.get-version"],
    registry: ["history.every-write", "history.pages", "rollback.new-version"],
  },
  {
    name: "revision stuck on delete",
    create: () => new RevisionStuckOnDelete(),
    caughtBy: ["delete", "revision.moves-on-writes", "revision.never-repeats"],
    registry: ["revision"],
  },
  {
    name: "drops the write context",
    create: () => new DropsWriteContext(),
    caughtBy: ["ext.roundtrip", "ext.per-version"],
    registry: ["write-context.kept"],
  },
  {
    name: "ignores where but claims the status filter",
    create: () => new IgnoresWhere(),
    caughtBy: ["list.where", "list.where-under-writes"],
    registry: ["list.pages", "list"],
  },
  {
    name: "touch moves the revision",
    create: () => new TouchMovesRevision(),
    caughtBy: ["touch.sets-last-accessed", "revision.stable-on-reads"],
    registry: ["get.records-access"],
  },
];

describe("mutant record stores", () => {
  it("the real MemoryRecordStore passes every case of both suites, none skipped but for a reason", async () => {
    for (const results of [
      await storeSuite("memory", () => new MemoryRecordStore()),
      await registrySuite("memory", () => new MemoryRecordStore()),
    ]) {
      expect(results.length).toBeGreaterThan(25);
      expect(
        results.filter((r) => r.status !== "passed").map((r) => [r.name, String(r.error)]),
      ).toEqual([
        // The capability gaps: a memory store drops its data on close, there is no second
        // instance over one memory store's data, and no write of it can be torn (or repaired);
        // it declares no value limit, has no older storage to upgrade and no other process
        // to wait for.
        ...results
          .filter(
            (r) =>
              r.name.includes("close.persists") ||
              r.name.includes("put.max-value-bytes") ||
              r.name.includes("put.create-two-instances") ||
              r.name.includes("close.leaves-other-instances") ||
              r.name.includes("upgrade.older-storage") ||
              r.name.includes("lease.long-write") ||
              r.name.includes("list.where-second-instance") ||
              r.name.includes("reopen.") ||
              r.name.includes("crash."),
          )
          .map((r) => [r.name, "undefined"]),
      ]);
    }
  }, 60_000);

  for (const mutant of MUTANTS) {
    it(`${mutant.name} - caught by ${[...mutant.caughtBy, ...mutant.registry.map((c) => `registry ${c}`)].join(", ")}`, async () => {
      const failed = caseIds(await storeSuite(mutant.name, mutant.create), "failed");
      expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
      const viaRegistry = caseIds(await registrySuite(mutant.name, mutant.create), "failed");
      expect(viaRegistry).toEqual(expect.arrayContaining(mutant.registry));
    }, 60_000);
  }
});
