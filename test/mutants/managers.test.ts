// The caching and hot-reload suites catch broken managers: each mutant fails named cases of its
// suite, while the real CachingRegistryManager (through RecordingManager) and HotReloadManager
// pass them in full.
import { expect as jestExpect } from "expect";
import { describe, expect, it } from "vitest";
import {
  cachingManagerSuite,
  type HotReloadManagerClass,
  hotReloadSuite,
  type RecordingManagerClass,
  type TestHarness,
} from "../../src/testing/index.ts";
import { type CaseResult, caseIds, recordingHarness } from "./harness.ts";
import {
  ClampsNegativeTtl,
  DestroysTwice,
  FifoEviction,
  IgnoresTtl,
  NeverDestroys,
  NoSingleFlight,
  ReloadKeepsCached,
  StartDoesNothing,
} from "./managers.ts";

const harness = (): ReturnType<typeof recordingHarness> =>
  recordingHarness(jestExpect as unknown as TestHarness["expect"]);

async function caching(manager?: RecordingManagerClass): Promise<CaseResult[]> {
  const h = harness();
  cachingManagerSuite(h, manager ? { name: "mutant", manager } : { name: "real" });
  return h.run();
}

async function hotReload(hot?: HotReloadManagerClass): Promise<CaseResult[]> {
  const h = harness();
  hotReloadSuite(h, hot ? { name: "mutant", hotReload: hot } : { name: "real" });
  return h.run();
}

const CACHING: { name: string; manager: RecordingManagerClass; caughtBy: string[] }[] = [
  {
    name: "destroys an instance twice",
    manager: DestroysTwice,
    caughtBy: ["invalidate", "events.seed-example", "events.backend-writes-invalidate"],
  },
  {
    name: "never destroys",
    manager: NeverDestroys,
    caughtBy: ["ttl.expires", "lru.true-lru", "invalidate", "invalidateAll", "close"],
  },
  { name: "ignores the TTL", manager: IgnoresTtl, caughtBy: ["ttl.expires"] },
  { name: "takes a negative TTL as 0", manager: ClampsNegativeTtl, caughtBy: ["options"] },
  { name: "no single flight", manager: NoSingleFlight, caughtBy: ["single-flight.1000"] },
  { name: "FIFO, not LRU", manager: FifoEviction, caughtBy: ["lru.true-lru"] },
];

const HOT_RELOAD: { name: string; hot: HotReloadManagerClass; caughtBy: string[] }[] = [
  {
    name: "start() does nothing",
    hot: StartDoesNothing,
    caughtBy: [
      "hot-reload.event-driven",
      "hot-reload.polling",
      "hot-reload.hybrid",
      "hot-reload.hybrid-events",
      "hot-reload.hybrid-polls",
    ],
  },
  {
    name: "reload() keeps the cached instance",
    hot: ReloadKeepsCached,
    caughtBy: ["hot-reload.reload"],
  },
];

const passedInFull = (results: CaseResult[]): void => {
  expect(results.length).toBeGreaterThan(8);
  expect(
    results.filter((r) => r.status !== "passed").map((r) => [r.name, String(r.error)]),
  ).toEqual([]);
};

describe("mutant caching managers", () => {
  it("the real manager passes every case", async () => {
    passedInFull(await caching());
  }, 60_000);
  for (const mutant of CACHING) {
    it(`${mutant.name} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      const failed = caseIds(await caching(mutant.manager), "failed");
      expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
    }, 60_000);
  }
});

describe("mutant hot-reload managers", () => {
  it("the real HotReloadManager passes every case", async () => {
    passedInFull(await hotReload());
  }, 60_000);
  for (const mutant of HOT_RELOAD) {
    it(`${mutant.name} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      const failed = caseIds(await hotReload(mutant.hot), "failed");
      expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
    }, 60_000);
  }
});
