// withFileLock across processes: mutual exclusion with no lost increments while a dead owner's
// lock is broken by several processes at once, and a live holder is waited for, never broken.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { withFileLock } from "../../src/adapters/fs/fs-lock.ts";
import { AdapterError } from "../../src/index.ts";
import { rejection } from "../../src/testing/index.ts";

const root = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "botknobs-lock-"));
  dirs.push(d);
  return d;
}

/** The pid of a process that has exited (so a lock naming it is stale). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

function worker(args: string[]): Promise<{ overlaps: number }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/fixtures/lock-worker.ts", ...args],
      {
        cwd: root,
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("exit", (code) =>
      code === 0 ? done(JSON.parse(out)) : fail(new Error(`worker exited with ${code}`)),
    );
  });
}

describe("withFileLock", () => {
  it("4 processes × 25 rounds over a dead owner's lock: one holder at a time, no lost increment", async () => {
    const dir = temp();
    const lock = join(dir, ".botknobs-lock");
    writeFileSync(
      lock,
      JSON.stringify({ host: (await import("node:os")).hostname(), pid: deadPid(), token: "dead" }),
    );
    const counter = join(dir, "counter");
    const results = await Promise.all(
      Array.from({ length: 4 }, () => worker([lock, counter, join(dir, "marker"), "25"])),
    );
    expect(results.map((r) => r.overlaps)).toEqual([0, 0, 0, 0]);
    expect(readFileSync(counter, "utf8")).toBe("100");
  }, 60_000);

  it("a live holder is waited for and never broken: the taker times out naming the lock", async () => {
    const dir = temp();
    const lock = join(dir, ".botknobs-lock");
    // This process is alive: a lock naming it (with another token) must not be broken.
    writeFileSync(
      lock,
      JSON.stringify({
        host: (await import("node:os")).hostname(),
        pid: process.pid,
        token: "other",
      }),
    );
    const error = await rejection(withFileLock(lock, async () => "got it", { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain(".botknobs-lock");
    expect(JSON.parse(readFileSync(lock, "utf8")).token).toBe("other");
  });

  it("a dead holder's lock is taken over, and released after", async () => {
    const dir = temp();
    const lock = join(dir, ".botknobs-lock");
    writeFileSync(
      lock,
      JSON.stringify({ host: (await import("node:os")).hostname(), pid: deadPid(), token: "dead" }),
    );
    expect(await withFileLock(lock, async () => "got it")).toBe("got it");
    expect(() => readFileSync(lock)).toThrow();
  });
});
