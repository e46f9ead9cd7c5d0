/**
 * `src/core/reload/` — The poller over an eventually consistent store, simulated with a fake clock
 * so that the bound is checked exactly: after every poll at time T, what the poller has reported
 * for each bot reflects every write that completed by T − visibilityLagMs (or a later write to
 * that bot). The same run with the lag ignored must break that check, so the check can fail.
 */
import { RegistryPoller, StoreRegistryBackend } from "../../src/index.ts";
import { fakeClock, type TestHarness } from "../../src/testing/index.ts";
import { EventualRecordStore, seeded } from "../../test/fixtures/eventual-record-store.ts";

interface Write {
  seq: number;
  botId: string;
  /** The config's `w` after the write, or null when it deleted the bot. */
  state: number | null;
  at: number;
}

/** Runs one simulation; returns how many (bot, poll) pairs broke the bound. */
async function simulate(
  seed: number,
  lagMs: number,
  intervalMs: number,
  ignoreLag: boolean,
): Promise<{ violations: string[]; writes: number; reports: number }> {
  const clock = fakeClock();
  const start = clock.now();
  const random = seeded(seed);
  const store = new EventualRecordStore({ lagMs, now: clock.now, random });
  const writer = new StoreRegistryBackend({ store: store.primary, now: clock.now });
  const reader = new StoreRegistryBackend({ store, now: clock.now });
  const poller = new RegistryPoller({
    backend: reader,
    pollInterval: intervalMs / 1000,
    now: clock.now,
    ...(ignoreLag ? { visibilityLagMs: 0 } : {}),
  });
  await poller.snapshot();
  const writes: Write[] = [];
  const seen = new Map<string, number | null>();
  const violations: string[] = [];
  let reports = 0;
  let seq = 0;
  // Writes come in bursts (gaps of 0–20 ms) and quiet spells (up to 3 × the lag), so the
  // revision both moves all the time and stands still while a listing still lags it.
  const writing = start + 20_000;
  let nextWrite = start;
  let nextPoll = start;
  while (nextPoll <= writing + lagMs + 2 * intervalMs) {
    const at = nextWrite < writing ? Math.min(nextWrite, nextPoll) : nextPoll;
    clock.advance(at - clock.now());
    if (at === nextWrite && at < writing) {
      const botId = `bot-${Math.floor(random() * 6)}`;
      if (random() < 0.2) {
        if (await writer.unregister(botId)) writes.push({ seq: ++seq, botId, state: null, at });
      } else {
        const w = ++seq;
        await writer.register(botId, { w });
        writes.push({ seq: w, botId, state: w, at });
      }
      nextWrite = at + 1 + Math.floor(random() < 0.5 ? random() * 20 : random() * 3 * lagMs);
    }
    if (at === nextPoll) {
      for (const change of await poller.pollOnce()) {
        reports++;
        seen.set(change.botId, change.newConfig === null ? null : (change.newConfig.w as number));
      }
      // Every write done by now − lag is reflected (or superseded by a later one) in the reports.
      for (const botId of new Set(writes.map((w) => w.botId))) {
        const due = writes.filter((w) => w.botId === botId && w.at + lagMs <= at);
        const last = due[due.length - 1];
        if (!last) continue;
        const allowed = writes
          .filter((w) => w.botId === botId && w.seq >= last.seq)
          .map((w) => w.state);
        if (!allowed.includes(seen.get(botId) ?? null))
          violations.push(
            `${botId} at +${at - start} ms: reported ${seen.get(botId)}, due ${last.state}`,
          );
      }
      nextPoll = at + intervalMs;
    }
  }
  return { violations, writes: writes.length, reports };
}

/** Registers the cases with `h`. */
export function reloadUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`RegistryPoller over an eventually consistent store (${runtime})`, () => {
    it("poller.eventual - every write is reported within visibilityLagMs + pollInterval (5 seeded runs)", async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const run = await simulate(seed, 200, 50, false);
        expect(run.writes).toBeGreaterThan(100);
        expect(run.reports).toBeGreaterThan(100);
        expect(run.violations).toEqual([]);
      }
    });

    it("poller.eventual-check-can-fail - with the lag ignored, writes are missed past the bound", async () => {
      let violations = 0;
      for (const seed of [1, 2, 3])
        violations += (await simulate(seed, 200, 50, true)).violations.length;
      expect(violations).toBeGreaterThan(0);
    });

    it("poller.settling - after a change it lists on each poll until the lag has passed, then stops", async () => {
      const clock = fakeClock();
      const store = new EventualRecordStore({ lagMs: 100, now: clock.now, random: () => 1 });
      const writer = new StoreRegistryBackend({ store: store.primary, now: clock.now });
      const reader = new StoreRegistryBackend({ store, now: clock.now });
      let listings = 0;
      const listAll = reader.listAll.bind(reader);
      reader.listAll = () => {
        listings++;
        return listAll();
      };
      const poller = new RegistryPoller({ backend: reader, pollInterval: 0.01, now: clock.now });
      expect(poller.visibilityLagMs).toBe(100);
      await poller.snapshot();
      await writer.register("a", { v: 1 });
      const created: string[] = [];
      for (let t = 0; t <= 300; t += 10) {
        for (const c of await poller.pollOnce()) created.push(`${c.type}@${t}`);
        clock.advance(10);
      }
      // The snapshot's revision settles first (listings at 0–90 ms); the write shows (revision and
      // listing) at +100 ms exactly, and is listed from then until +200 ms; then nothing.
      expect(created).toEqual(["created@100"]);
      expect(listings).toBe(1 + 10 + 11);
      expect(poller.settling).toBe(false);
    });
  });
}
