// The conformance suites catch the Cloudflare adapters' own mistakes, inside workerd: each source
// mutant of the kit (test/mutants/source-mutants.ts) for D1, KV, R2 and the Durable Object hub
// runs its port's conformance suites through a recording harness over the real bindings, and the
// named conformance cases must fail; the real adapters pass the same cases. By default only the
// named cases run; with BOTKNOBS_MUTANTS=full (`npm run mutants`) every case of the port's suites.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { D1RecordStore } from "../../src/adapters/d1/index.ts";
import type { DurableObjectEventBus } from "../../src/adapters/durable-object/index.ts";
import type { KVRecordStore } from "../../src/adapters/kv/index.ts";
import type { R2BlobStore } from "../../src/adapters/r2/index.ts";
import { conformance, type TestHarness } from "../../src/testing/index.ts";
import { caseIds, recordingHarness } from "../mutants/harness.ts";
import {
  type MutantAdapter,
  SOURCE_MUTANTS,
  type SourceMutant,
} from "../mutants/source-mutants.ts";
import { d1Port, emptyBucket, kvPort, r2Port } from "./cloudflare-ports.ts";
import { hubBuses } from "./hub-buses.ts";
import {
  HUB_MUTANT_BINDINGS,
  HUB_REAL_BINDING,
  HUB_STALE_BINDING,
} from "./hub-mutants/bindings.ts";

/**
 * `""`: only each mutant's named cases run (inside `npm test`); `full`: every case of the port's
 * suites, the named ones must fail; `any`: every case, any failure catches it (to measure suites
 * that do not have the named cases, e.g. older ones).
 */
const mode = (env as { BOTKNOBS_MUTANTS?: string }).BOTKNOBS_MUTANTS ?? "";
const full = mode === "full" || mode === "any";
/** The hub mutants whose patch no longer applies, and why (vitest.config.ts: hub-mutants/build.ts). */
const staleHubs = JSON.parse(
  ((env as unknown as Record<string, string | undefined>)[HUB_STALE_BINDING] ?? "{}") as string,
) as Record<string, string>;

let hubName = "";
const hubs: ReturnType<typeof hubBuses>[] = [];

/** Registers the conformance suites of the mutant's port, over the patched module (or the hub's binding). */
const PORTS: Partial<
  Record<MutantAdapter, (h: TestHarness, module: Record<string, unknown>, id: string) => void>
> = {
  KV: (h, m) =>
    conformance(h, {
      name: "mutant",
      recordStore: { ...kvPort(m.KVRecordStore as typeof KVRecordStore) },
    }),
  D1: (h, m) =>
    conformance(h, {
      name: "mutant",
      recordStore: { ...d1Port(m.D1RecordStore as typeof D1RecordStore) },
    }),
  R2: (h, m) =>
    conformance(h, {
      name: "mutant",
      blobStore: { ...r2Port(m.R2BlobStore as typeof R2BlobStore) },
    }),
  // The hub is a Durable Object class: each mutant is bound as its own namespace (hub-mutants/).
  "Durable Object hub": (h, _m, id) => {
    // The real hub of the same Worker for the control, so both run alike (restarts included).
    const binding = id === "" ? HUB_REAL_BINDING : HUB_MUTANT_BINDINGS[id];
    const namespace = (env as unknown as Record<string, unknown>)[
      binding as string
    ] as typeof env.EVENTS;
    const hub = hubBuses(namespace, () => hubName);
    hubs.push(hub);
    h.beforeEach(() => {
      hubName = `hub-${crypto.randomUUID()}`;
    });
    conformance(h, { name: "mutant", eventBus: hub.suiteOptions });
  },
  // Its client: the patched bus against the real hub.
  "Durable Object event bus": (h, m) => {
    const Bus = m.DurableObjectEventBus as typeof DurableObjectEventBus;
    const hub = hubBuses(env.EVENTS, () => hubName, Bus);
    hubs.push(hub);
    h.beforeEach(() => {
      hubName = `hub-${crypto.randomUUID()}`;
    });
    conformance(h, { name: "mutant", eventBus: hub.suiteOptions });
  },
};

/**
 * Runs the port's conformance suites against the mutant (or, with `real`, the real adapter);
 * the ids of the cases that failed.
 * @example
 * await failedCases(mutant); // ["history.prune-scoped"]
 */
async function failedCases(mutant: SourceMutant, real = false): Promise<string[]> {
  const hub = mutant.adapter === "Durable Object hub";
  const module = hub
    ? {}
    : ((await import(
        /* @vite-ignore */ real ? `../../${mutant.entry}` : `mutant:${mutant.id}`
      )) as Record<string, unknown>);
  const h = recordingHarness(expect as unknown as TestHarness["expect"], {
    timeoutMs: 30_000,
    ...(full ? {} : { only: (id: string) => mutant.caughtBy.includes(id) }),
  });
  h.describe("port", () => {
    (PORTS[mutant.adapter] as NonNullable<(typeof PORTS)[MutantAdapter]>)(
      h,
      module,
      real ? "" : mutant.id,
    );
  });
  try {
    return caseIds(await h.run(), "failed");
  } finally {
    for (const b of hubs.splice(0)) await b.closeAll();
  }
}

beforeEach(emptyBucket);
afterEach(emptyBucket);

describe("adapter source mutants inside workerd: each is caught by its port's conformance cases", () => {
  const here = SOURCE_MUTANTS.filter((m) => m.adapter in PORTS);
  it("every hub mutant has its binding", () => {
    for (const m of here.filter((x) => x.adapter === "Durable Object hub"))
      expect([m.id, typeof HUB_MUTANT_BINDINGS[m.id]]).toEqual([m.id, "string"]);
  });
  for (const adapter of new Set(here.map((m) => m.adapter))) {
    const mutants = here.filter((m) => m.adapter === adapter);
    it(`the real ${adapter} passes the cases that catch its mutants`, async () => {
      const all = { ...(mutants[0] as SourceMutant), caughtBy: mutants.flatMap((m) => m.caughtBy) };
      expect(await failedCases(all, true)).toEqual([]);
    }, 600_000);
  }
  for (const mutant of here) {
    it(`${mutant.adapter} · ${mutant.id} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      // Its Durable Object class is a placeholder: say why, rather than count its failures.
      const stale = staleHubs[mutant.id];
      if (stale !== undefined) throw new Error(stale);
      const failed = await failedCases(mutant);
      if (mode === "any") expect(failed.length).toBeGreaterThan(0);
      else expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
    }, 600_000);
  }
});
