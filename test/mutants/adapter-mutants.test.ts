// The conformance suites catch the adapters' own mistakes: each source mutant of the kit
// (source-mutants.ts: the adapter's source with one bug patched in) runs its port's conformance
// suites through a recording harness, and the named conformance cases must fail. Here the
// adapters that run on Node (files, SQLite, memory, SSE, the persisted index); the Cloudflare ones in
// test/workerd/adapter-mutants.test.ts. By default only the named cases run (fast, inside
// `npm test`); with BOTKNOBS_MUTANTS=full every case of the port's suites runs against each
// mutant (`npm run mutants`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect as jestExpect } from "expect";
import { describe, expect, inject, it } from "vitest";
import { FsBlobStore } from "../../src/adapters/fs/index.ts";
import type { PostgresEventBus } from "../../src/adapters/postgres/index.ts";
import type { RedisEventBus } from "../../src/adapters/redis/index.ts";
import type { S3BlobStore } from "../../src/adapters/s3/index.ts";
import type { SqliteRecordStore, SqliteSearchIndex } from "../../src/adapters/sqlite/index.ts";
import { MemoryBlobStore } from "../../src/core/blob/memory-blob-store.ts";
import type { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import type { SSEEventBus } from "../../src/core/events/sse-bus.ts";
import type * as BlobIndexModule from "../../src/core/knowledge/index/blob-search-index.ts";
import type { BlobRecordStore } from "../../src/core/registry/blob-record-store.ts";
import type { RegistryPoller } from "../../src/core/reload/poller.ts";
import {
  blobStoreSuite,
  conformance,
  hotReloadSuite,
  searchIndexSuite,
  type TestHarness,
} from "../../src/testing/index.ts";
import { abandonBlobCommit } from "../../src/testing/search-index-sweep-cases.ts";
import { sseEventBusSuite } from "../conformance/sse-served.ts";
import { blobRecordPort } from "../fixtures/blob-records.ts";
import { listen } from "../fixtures/http-serve.ts";
import { createBucket, S3RVER_MAX_NAME_BYTES, s3Options } from "../fixtures/s3-buckets.ts";
import { POSTGRES, REDIS, reachable } from "../fixtures/services.ts";
import { postgresSuite, redisSuite } from "../node/bus-suites.ts";
import { type FsClasses, fsConformance } from "../node/node-suites.ts";
import { sqliteSearchConformance } from "../node/sqlite-search-suites.ts";
import { sqliteConformance } from "../node/sqlite-suites.ts";
import { caseIds, recordingHarness } from "./harness.ts";
import {
  BROWSER_ADAPTERS,
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

// The adapters whose server may be missing: their mutants skip saying why (fail in CI).
const s3 = inject("s3");
const UNAVAILABLE: Partial<Record<MutantAdapter, string>> = {
  ...("missing" in s3 ? { S3: s3.missing } : {}),
  ...((await reachable(POSTGRES))
    ? {}
    : { "PostgreSQL event bus": `PostgreSQL does not answer: ${POSTGRES.install}` }),
  ...((await reachable(REDIS))
    ? {}
    : { "Redis event bus": `Redis does not answer: ${REDIS.install}` }),
};

/** The classes of `names` the patched module `m` exports (the others stay the real ones). */
function patched(m: Record<string, unknown>, names: (keyof FsClasses)[]): Partial<FsClasses> {
  return Object.fromEntries(names.filter((n) => n in m).map((n) => [n, m[n]]));
}

/** Registers the conformance suites of the mutant's port, over the patched module. */
const PORTS: Partial<
  Record<MutantAdapter, (h: TestHarness, module: Record<string, unknown>) => void>
> = {
  // Each file adapter's mutants run its own port only (the blob store's: with what is built over it).
  "file record store": (h, m) =>
    fsConformance(h, "mutant", patched(m, ["FileRecordStore", "repairJournal"]), ["recordStore"]),
  "file blob store": (h, m) =>
    fsConformance(h, "mutant", patched(m, ["FsBlobStore"]), ["blobStore"]),
  "file event bus": (h, m) =>
    fsConformance(h, "mutant", patched(m, ["FileEventBus"]), ["eventBus"]),
  "SQLite record store": (h, m) =>
    sqliteConformance(h, "mutant", undefined, m.SqliteRecordStore as typeof SqliteRecordStore),
  "memory event bus": (h, m) =>
    conformance(h, {
      name: "mutant",
      eventBus: { create: () => new (m.InMemoryEventBus as typeof InMemoryEventBus)() },
    }),
  // Against createApp's /events on a Node server, read as over a network that can drop (sse-served.ts).
  "SSE event bus": (h, m) =>
    sseEventBusSuite(
      h,
      "mutant",
      (fetch) => listen({ fetch }),
      m.SSEEventBus as typeof SSEEventBus,
    ),
  "blob record store": (h, m) =>
    conformance(h, {
      name: "mutant",
      recordStore: blobRecordPort({
        blobs: () => new MemoryBlobStore(),
        Store: m.BlobRecordStore as typeof BlobRecordStore,
      }),
    }),
  // The blob-store suite alone (what is built over the store runs on the real one elsewhere).
  S3: (h, m) => {
    const { endpoint } = s3 as { endpoint: string };
    blobStoreSuite(h, {
      name: "mutant",
      create: async () =>
        new (m.S3BlobStore as typeof S3BlobStore)(
          s3Options(endpoint, await createBucket(endpoint)),
        ),
      capabilities: {
        conditionalPut: false,
        contentTypes: false,
        maxNameBytes: S3RVER_MAX_NAME_BYTES,
      },
    });
  },
  "PostgreSQL event bus": (h, m) =>
    postgresSuite(
      h,
      "mutant",
      POSTGRES.port,
      "test",
      undefined,
      m.PostgresEventBus as typeof PostgresEventBus,
    ),
  // The hot-reload suite over the memory registry, with the patched poller.
  "registry poller": (h, m) =>
    hotReloadSuite(h, { name: "mutant", poller: m.RegistryPoller as typeof RegistryPoller }),
  "Redis event bus": (h, m) =>
    redisSuite(h, "mutant", REDIS.port, undefined, m.RedisEventBus as typeof RedisEventBus),
  // Both rankings of the index in a SQLite file.
  "SQLite search index": (h, m) =>
    sqliteSearchConformance(h, "mutant", m.SqliteSearchIndex as typeof SqliteSearchIndex),
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
    const over = (root: string, now?: () => number) => {
      const index = new BlobSearchIndex({
        store: new FsBlobStore({ root }),
        ...(now ? { now } : {}),
      });
      roots.set(index, root);
      return index;
    };
    searchIndexSuite(h, {
      name: "mutant",
      create: ({ now }) => over(mkdtempSync(join(tmpdir(), "botknobs-mutant-")), now),
      reopen: (index) => over(roots.get(index) as string),
      destroy: async (index) => {
        await index.close?.();
        rmSync(roots.get(index) as string, { recursive: true, force: true });
      },
      capabilities: { persistent: true, revisions: true },
      abandonCommit: abandonBlobCommit,
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

/** `it`, or a skip naming the missing server (a failure under BOTKNOBS_REQUIRE_SERVICES=1). */
function itFor(adapter: MutantAdapter): typeof it {
  const missing = UNAVAILABLE[adapter];
  if (!missing || process.env.BOTKNOBS_REQUIRE_SERVICES === "1") return it;
  return ((name: string, fn: () => Promise<void>, timeout?: number) =>
    it.skip(`${name} (skipped: ${missing})`, fn, timeout)) as typeof it;
}

describe("adapter source mutants on Node: each is caught by its port's conformance cases", () => {
  it("every mutant of the kit has a port here or runs in workerd or Chromium", () => {
    for (const m of SOURCE_MUTANTS)
      expect([
        m.id,
        m.adapter in PORTS ||
          WORKERD_ADAPTERS.includes(m.adapter) ||
          BROWSER_ADAPTERS.includes(m.adapter),
      ]).toEqual([m.id, true]);
  });
  const here = SOURCE_MUTANTS.filter((m) => m.adapter in PORTS);
  // The same cases pass on the real adapters: a mutant fails them for its bug, not the wiring.
  for (const adapter of new Set(here.map((m) => m.adapter))) {
    const mutants = here.filter((m) => m.adapter === adapter);
    itFor(adapter)(
      `the real ${adapter} passes the cases that catch its mutants`,
      async () => {
        const all = {
          ...(mutants[0] as SourceMutant),
          caughtBy: mutants.flatMap((m) => m.caughtBy),
        };
        expect(await failedCases(all, true)).toEqual([]);
      },
      600_000,
    );
  }
  for (const mutant of here) {
    itFor(mutant.adapter)(
      `${mutant.adapter} · ${mutant.id} - caught by ${mutant.caughtBy.join(", ")}`,
      async () => {
        const failed = await failedCases(mutant);
        if (mode === "any") expect(failed.length).toBeGreaterThan(0);
        else expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
      },
      600_000,
    );
  }
});
