/**
 * The `KnowledgeResourceBackend` suite's cases for ingestion status and its lease
 * (`ingestion.*`): a claim that runs out, and — with owner tokens — a lease only one run holds,
 * in one backend and across two over one storage. Registered by `knowledgeBackendSuite`.
 * @module
 */
import type { LeaseHeldError } from "../core/errors.ts";
import { IngestionStatus } from "../core/knowledge/store/models.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import type { FakeClock, TestFn, TestHarness } from "./harness.ts";

/** The ingestion lease the suite expects backends to be created with, in ms (the default). */
export const SUITE_LEASE_MS = 120_000;

/** What the cases need from the suite that registers them. */
export interface KnowledgeLeaseContext {
  backend(): KnowledgeResourceBackend;
  clock(): FakeClock;
  /** Registers a case that moves the backend's clock (skipped when it keeps its own). */
  itClock: TestFn;
  /** Registers a case with two backends over one storage (skipped without `reopen`). */
  itTwo: TestFn;
  reopen?(
    backend: KnowledgeResourceBackend,
  ): Promise<KnowledgeResourceBackend> | KnowledgeResourceBackend;
}

/** The error `promise` rejects with (undefined when it resolves). */
async function caught(promise: Promise<unknown>): Promise<Error | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/**
 * Registers the ingestion-status cases (inside the knowledge backend suite's describe).
 * @example
 * knowledgeLeaseCases(h, { backend: () => kb, clock: () => clock, itClock, itTwo, reopen });
 */
export function knowledgeLeaseCases(h: TestHarness, ctx: KnowledgeLeaseContext): void {
  const { expect } = h;

  ctx.itClock(
    "ingestion.lease - an ingestion whose claim runs out shows as error, not ingesting",
    async () => {
      const kb = ctx.backend();
      const clock = ctx.clock();
      await kb.createKb("l");
      await kb.setIngestionStatus("l", IngestionStatus.INGESTING);
      clock.advance(SUITE_LEASE_MS - 1000);
      expect((await kb.getInfo("l"))?.ingestionStatus).toBe("ingesting");
      await kb.setIngestionStatus("l", IngestionStatus.INGESTING); // renewed
      clock.advance(SUITE_LEASE_MS - 1000);
      expect((await kb.getInfo("l"))?.ingestionStatus).toBe("ingesting");
      clock.advance(2000);
      const info = await kb.getInfo("l");
      expect(info?.ingestionStatus).toBe("error");
      expect(info?.ingestionError).toContain("ingest again");
      expect((await kb.listKbs())[0]?.ingestionStatus).toBe("error");
      await kb.setIngestionStatus("l", IngestionStatus.READY);
      expect((await kb.getInfo("l"))?.ingestionStatus).toBe("ready");
    },
  );

  ctx.itClock(
    "ingestion.lease-exclusive - with owners, one run holds the lease: others get LeaseHeldError until it ends or runs out; a run taken over can neither renew nor end it",
    async () => {
      const kb = ctx.backend();
      const clock = ctx.clock();
      await kb.createKb("x");
      const as = (owner: string) => ({ owner });
      await kb.setIngestionStatus("x", IngestionStatus.INGESTING, null, as("run-a"));
      await kb.setIngestionStatus("x", IngestionStatus.INGESTING, null, as("run-a")); // renewed
      const held = await caught(kb.setIngestionStatus("x", "ingesting", null, as("run-b")));
      expect([held?.name, (held as LeaseHeldError)?.lost]).toEqual(["LeaseHeldError", false]);
      expect(Date.parse((held as LeaseHeldError).until)).toBeGreaterThan(clock.now());
      // Nor can another run end it.
      const ended = await caught(kb.setIngestionStatus("x", "ready", null, as("run-b")));
      expect([ended?.name, (ended as LeaseHeldError)?.lost]).toEqual(["LeaseHeldError", true]);
      expect((await kb.getInfo("x"))?.ingestionStatus).toBe("ingesting");
      // Ended by its holder, it is free.
      await kb.setIngestionStatus("x", IngestionStatus.READY, null, as("run-a"));
      await kb.setIngestionStatus("x", IngestionStatus.INGESTING, null, as("run-b"));
      // Run out (its holder stopped), it is taken over; the old holder has lost it.
      clock.advance(SUITE_LEASE_MS + 1000);
      await kb.setIngestionStatus("x", IngestionStatus.INGESTING, null, as("run-c"));
      for (const status of [IngestionStatus.INGESTING, IngestionStatus.READY]) {
        const lost = await caught(kb.setIngestionStatus("x", status, null, as("run-b")));
        expect([status, lost?.name]).toEqual([status, "LeaseHeldError"]);
      }
      expect((await kb.getInfo("x"))?.ingestionStatus).toBe("ingesting");
      await kb.setIngestionStatus("x", IngestionStatus.ERROR, "boom", as("run-c"));
      expect((await kb.getInfo("x"))?.ingestionError).toBe("boom");
    },
  );

  ctx.itTwo(
    "ingestion.lease-two-places - two backends over one storage claim at once: exactly one gets the lease, each round",
    async () => {
      const kb = ctx.backend();
      await kb.createKb("x");
      const other = await (ctx.reopen as NonNullable<typeof ctx.reopen>)(kb);
      await other.initialize();
      for (let round = 0; round < 8; round++) {
        const claims = await Promise.allSettled(
          [kb, other, kb, other].map((backend, i) =>
            backend.setIngestionStatus("x", IngestionStatus.INGESTING, null, {
              owner: `r${round}-${i}`,
            }),
          ),
        );
        const won = claims.flatMap((c, i) => (c.status === "fulfilled" ? [i] : []));
        expect([round, won.length]).toEqual([round, 1]);
        const refused = claims.filter((c) => c.status === "rejected");
        expect(refused.every((c) => (c.reason as Error).name === "LeaseHeldError")).toBe(true);
        await kb.setIngestionStatus("x", IngestionStatus.READY, null, {
          owner: `r${round}-${won[0]}`,
        });
      }
      await other.close();
    },
  );
}
