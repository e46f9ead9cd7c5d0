// The event-bus suite catches broken buses: each mutant, over a synchronous bus and over an
// asynchronous one, fails named cases of eventBusSuite, while the correct buses pass it in full.
import { expect as jestExpect } from "expect";
import { describe, expect, it } from "vitest";
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import type { EventBus } from "../../src/core/events/types.ts";
import { eventBusSuite, type TestHarness } from "../../src/testing/index.ts";
import {
  ChannelBus,
  ConnectDuplicates,
  DeliversTwice,
  DropsOneEvent,
  EchoesOwnEvents,
  HearsPeersTwice,
  IgnoresEventLimit,
  IgnoresGlob,
  LimitedBus,
  QueuedBus,
  ReplaysToLateSubscribers,
} from "./event-buses.ts";
import { type CaseResult, caseIds, recordingHarness } from "./harness.ts";

async function suite(create: () => EventBus, createPeer?: () => EventBus): Promise<CaseResult[]> {
  const h = recordingHarness(jestExpect as unknown as TestHarness["expect"]);
  eventBusSuite(h, { name: "mutant", create, ...(createPeer ? { createPeer } : {}) });
  return h.run();
}

/** The resume cases: skipped on buses in one process, which neither disconnect nor restart. */
const RESUME = ["resume.short-disconnect", "resume.after-restart"];

const INNER: [string, () => EventBus][] = [
  ["synchronous", () => new InMemoryEventBus()],
  ["asynchronous", () => new QueuedBus()],
  ["limited (4 KiB) asynchronous", () => new LimitedBus(new QueuedBus(), 4096)],
];

/** Each mutant (wrapping a correct bus) and the cases that must catch it. */
const MUTANTS: {
  name: string;
  create: (inner: EventBus) => EventBus;
  caughtBy: string[];
  overUnlimitedOnly?: boolean;
}[] = [
  {
    name: "delivers twice",
    create: (inner) => new DeliversTwice(inner),
    caughtBy: [
      "connect.idempotent",
      "publish.multiple-subscribers",
      "publish.no-subscribers",
      "publish.many",
    ],
  },
  {
    name: "drops one event",
    create: (inner) => new DropsOneEvent(inner),
    caughtBy: ["publish.many"],
  },
  {
    name: "ignores a glob",
    create: (inner) => new IgnoresGlob(inner),
    caughtBy: ["subscribe.pattern", "subscribe.pattern-question-mark"],
  },
  {
    name: "subscribes again on connect",
    create: (inner) => new ConnectDuplicates(inner),
    caughtBy: ["connect.idempotent"],
  },
  {
    name: "declares a maxEventBytes it does not enforce",
    create: (inner) => new IgnoresEventLimit(inner),
    caughtBy: ["publish.too-large"],
    // Over a bus that enforces a limit itself, the declared one is still honoured.
    overUnlimitedOnly: true,
  },
  {
    name: "replays to late subscribers",
    create: (inner) => new ReplaysToLateSubscribers(inner),
    caughtBy: ["publish.no-subscribers"],
  },
];

describe("maxEventBytes when the suite cannot read it up front", () => {
  it("an async create of a bus without a limit fails publish.too-large unless the options say so", async () => {
    const run = async (capabilities?: { maxEventBytes?: number }) => {
      const h = recordingHarness(jestExpect as unknown as TestHarness["expect"]);
      eventBusSuite(h, {
        name: "async",
        create: async () => new InMemoryEventBus(),
        ...(capabilities ? { capabilities } : {}),
      });
      return h.run();
    };
    expect(caseIds(await run(), "failed")).toEqual(TOO_LARGE);
    expect(caseIds(await run({}), "skipped")).toEqual([...TOO_LARGE, ...RESUME]);
    expect(caseIds(await run({}), "failed")).toEqual([]);
  }, 60_000);
});

/** The limit's cases: they need the bus's declared `maxEventBytes`. */
const TOO_LARGE = ["publish.too-large", "publish.too-large-utf8"];

describe("mutant event buses", () => {
  for (const [kind, inner] of INNER) {
    it(`the correct ${kind} bus passes every case`, async () => {
      const results = await suite(inner);
      expect(results.length).toBeGreaterThan(10);
      expect(
        results.filter((r) => r.status === "failed").map((r) => [r.name, String(r.error)]),
      ).toEqual([]);
      // Only the limit's case may skip, and only on a bus that declares no limit.
      const limited = inner().capabilities.maxEventBytes !== undefined;
      expect(caseIds(results, "skipped")).toEqual(limited ? RESUME : [...TOO_LARGE, ...RESUME]);
    }, 60_000);

    for (const mutant of MUTANTS) {
      if (mutant.overUnlimitedOnly && inner().capabilities.maxEventBytes !== undefined) continue;
      it(`${mutant.name} over the ${kind} bus - caught by ${mutant.caughtBy.join(", ")}`, async () => {
        const failed = caseIds(await suite(() => mutant.create(inner())), "failed");
        expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
      }, 60_000);
    }
  }
});

describe("mutant distributed buses (a bus and its peer on one channel)", () => {
  // Each run of the suite on a channel of its own; the peer joins the one its bus was made on.
  const over = (make: (name: string) => EventBus) => {
    let name = "";
    return {
      create: () => {
        name = `mutants-${crypto.randomUUID()}`;
        return make(name);
      },
      createPeer: () => new ChannelBus(name),
    };
  };

  it("the correct channel bus passes every case, the distributed ones included", async () => {
    const { create, createPeer } = over((name) => new ChannelBus(name));
    const results = await suite(create, createPeer);
    expect(
      results.filter((r) => r.status === "failed").map((r) => [r.name, String(r.error)]),
    ).toEqual([]);
    expect(caseIds(results, "passed")).toEqual(
      expect.arrayContaining(["distributed", "distributed.once"]),
    );
  }, 60_000);

  // Both slip past every case but distributed.once: a synchronous bus has delivered when publish
  // resolves, so the single-bus cases never wait for a second copy.
  for (const [name, make] of [
    ["hears its own events again through the transport", (n: string) => new EchoesOwnEvents(n)],
    ["delivers a peer's events twice", (n: string) => new HearsPeersTwice(n)],
  ] as const) {
    it(`${name} - caught by distributed.once alone`, async () => {
      const { create, createPeer } = over(make);
      const failed = caseIds(await suite(create, createPeer), "failed");
      expect(failed).toEqual(["distributed.once"]);
    }, 60_000);
  }
});
