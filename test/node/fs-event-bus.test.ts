// FileEventBus beyond the conformance suite: what its log files do over time — rotation with a
// bounded folder, a reader that falls behind, a writer caught mid-line, unreadable lines, and
// segments that age out (of a dead process, or of a live one that was idle).
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileEventBus } from "../../src/adapters/fs/index.ts";
import { Event, EventType } from "../../src/core/events/event.ts";
import { deferred, eventually } from "../../src/testing/index.ts";

let dir: string;
const open: FileEventBus[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "botknobs-events-"));
});
afterEach(async () => {
  for (const bus of open.splice(0)) await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

function bus(options: Partial<ConstructorParameters<typeof FileEventBus>[0]> = {}): FileEventBus {
  const made = new FileEventBus({ path: dir, pollMs: 20, ...options });
  open.push(made);
  return made;
}

const ev = (n: number, pad = 0): Event =>
  new Event({ type: EventType.UPDATED, topic: "t", payload: { n, pad: "x".repeat(pad) } });

/** A line of the log, as a writer that is not a bus (a test, or a process of an older release) writes it. */
const line = (n: number): string => `${JSON.stringify({ ...ev(n).toDict(), topic: "t" })}\n`;

describe("FileEventBus log files", () => {
  it("rotates: 300 events through 1 KiB segments arrive in order, and a writer keeps its last two", async () => {
    const writer = bus({ maxEventBytes: 512, segmentBytes: 1024 });
    const reader = bus();
    const got: number[] = [];
    await reader.subscribe("t", (e) => void got.push(e.payload.n as number));
    for (let n = 0; n < 300; n++) await writer.publish("t", ev(n));
    await eventually(() => got.length >= 300);
    expect(got).toEqual(Array.from({ length: 300 }, (_, n) => n));
    const segments = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
    expect(segments.length).toBeLessThanOrEqual(2);
    for (const f of segments) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1024);
  });

  it("a reader a whole segment behind gets the reconnected notice, then goes on in order", async () => {
    const writer = bus({ maxEventBytes: 512, segmentBytes: 1024 });
    const reader = bus();
    const release = deferred();
    const stuck = deferred();
    const got: number[] = [];
    let notices = 0;
    await reader.subscribe("t", async (e) => {
      if (e.payload.reconnected === true) {
        notices++;
        return;
      }
      if (got.length === 0) {
        stuck.resolve();
        await release.promise; // stuck on the first event
      }
      got.push(e.payload.n as number);
    });
    await writer.publish("t", ev(0));
    await stuck.promise;
    // Five segments' worth while the reader is stuck: the ones it needed are rotated away.
    for (let n = 1; n <= 60; n++) await writer.publish("t", ev(n, 100));
    release.resolve();
    await eventually(() => got.at(-1) === 60);
    expect(notices).toBeGreaterThanOrEqual(1);
    expect(got[0]).toBe(0);
    // What it did get is in order, once each.
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    expect(new Set(got).size).toBe(got.length);
    expect(got.length).toBeLessThan(61);
  });

  it("a reader starting while a writer is mid-line skips that line's rest, and reads on", async () => {
    const reported: string[] = [];
    const fake = join(dir, "pfake-1.0.jsonl");
    const half = line(1);
    writeFileSync(fake, line(0) + half.slice(0, 20));
    const reader = bus({ onError: (_e, context) => void reported.push(context) });
    const got: number[] = [];
    await reader.subscribe("t", (e) => void got.push(e.payload.n as number));
    appendFileSync(fake, half.slice(20) + line(2));
    await eventually(() => got.length >= 1);
    const probe = bus();
    await probe.publish("t", ev(3));
    await eventually(() => got.includes(3));
    expect(got).toEqual([2, 3]);
    expect(reported).toEqual([]);
  });

  it("an unreadable line is reported, naming the folder, and the lines after it still arrive", async () => {
    const reported: string[] = [];
    const reader = bus({ onError: (_e, context) => void reported.push(context) });
    const got: number[] = [];
    await reader.subscribe("t", (e) => void got.push(e.payload.n as number));
    writeFileSync(join(dir, "pfake-2.0.jsonl"), `{"not json\n${line(7)}`);
    await eventually(() => got.length >= 1);
    expect(got).toEqual([7]);
    expect(reported).toEqual([`an unreadable event line from pfake-2 in ${dir}`]);
  });

  it("by default: events up to 64 KiB, segments rotated past 1 MiB, a new segment after a second idle", async () => {
    let now = Date.now();
    const writer = bus({ now: () => now });
    expect(writer.capabilities.maxEventBytes).toBe(64 * 1024);
    const reader = bus();
    const got: number[] = [];
    await reader.subscribe("t", (e) => void got.push(e.payload.n as number));
    for (let n = 0; n < 20; n++) await writer.publish("t", ev(n, 60_000));
    const sizes = () => readdirSync(dir).map((f) => statSync(join(dir, f)).size);
    const [full, next] = sizes().sort((a, b) => b - a) as [number, number];
    expect([full <= 1024 * 1024, full > 1024 * 1024 - 64 * 1024, next > 0]).toEqual([
      true,
      true,
      true,
    ]);
    now += 999;
    await writer.publish("t", ev(20));
    expect(sizes()).toHaveLength(2);
    now += 1000;
    await writer.publish("t", ev(21));
    expect(sizes()).toHaveLength(2); // the oldest went: a writer keeps two
    await eventually(() => got.length === 22);
    expect(got).toEqual(Array.from({ length: 22 }, (_, n) => n));
  });

  it("segments silent for ten minutes are removed; a live writer whose segment went writes a new one, still heard", async () => {
    let now = Date.now();
    const clock = () => now;
    const old = (path: string, ms: number) => {
      const at = new Date(now - ms);
      utimesSync(path, at, at);
    };
    writeFileSync(join(dir, "pgone-3.0.jsonl"), line(0));
    old(join(dir, "pgone-3.0.jsonl"), 600_001);
    writeFileSync(join(dir, "pquiet-4.0.jsonl"), line(0));
    old(join(dir, "pquiet-4.0.jsonl"), 590_000);
    const writer = bus({ now: clock });
    const reader = bus({ now: clock });
    const got: number[] = [];
    await reader.subscribe("t", (e) => void got.push(e.payload.n as number));
    expect(readdirSync(dir).sort()).toEqual(["pquiet-4.0.jsonl"]);
    await writer.publish("t", ev(1));
    await eventually(() => got.length === 1);
    // The writer is idle for eleven minutes: its segment ages out of the reader's folder.
    now += 660_000;
    const own = readdirSync(dir).find((f) => !f.startsWith("pquiet")) as string;
    old(join(dir, own), 660_000);
    await eventually(() => readdirSync(dir).length === 0);
    await writer.publish("t", ev(2));
    await eventually(() => got.length === 2);
    expect(got).toEqual([1, 2]);
  });

  it("a bus that only publishes (nobody reads) removes what gone processes left, on its first write", async () => {
    writeFileSync(join(dir, "pgone-5.0.jsonl"), line(0));
    const at = new Date(Date.now() - 600_001);
    utimesSync(join(dir, "pgone-5.0.jsonl"), at, at);
    await bus().publish("t", ev(1));
    expect(readdirSync(dir).filter((f) => f.startsWith("pgone"))).toEqual([]);
  });

  it("refuses a segment smaller than an event, and a folder of no name", () => {
    expect(() => new FileEventBus({ path: dir, segmentBytes: 1000 })).toThrow(/segmentBytes/);
    expect(() => new FileEventBus({ path: "" })).toThrow(/needs a path/);
  });
});
