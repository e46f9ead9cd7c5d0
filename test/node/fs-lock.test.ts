// withFileLock across processes: mutual exclusion with no lost increments while a dead owner's
// lock is broken by several processes at once, and a live holder is waited for, never broken.
// Across containers and restarts: a lock is a lease its holder renews; one that names another
// host (a recreated container), a reused pid or an earlier boot is taken over, one whose holder
// was killed with kill -9 at once.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
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

function spawnWorker(args: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/lock-worker.ts", ...args],
    {
      cwd: root,
    },
  );
  child.stderr?.on("data", (d) => process.stderr.write(d));
  return child;
}

function worker(args: string[]): Promise<{ overlaps: number }> {
  return new Promise((done, fail) => {
    const child = spawnWorker(args);
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) =>
      code === 0
        ? done(JSON.parse(out.trim().split("\n").pop() as string))
        : fail(new Error(`worker exited with ${code}`)),
    );
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** A live process unrelated to any lock (what a reused pid names after a restart). */
function unrelatedProcess(): number {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"]);
  children.push(child);
  return child.pid as number;
}

/** Writes a lock file as another process left it, last renewed `ageMs` ago. */
function leftLock(path: string, owner: Record<string, unknown>, ageMs = 0): void {
  writeFileSync(path, JSON.stringify(owner));
  const at = new Date(Date.now() - ageMs);
  utimesSync(path, at, at);
}

const procFs = existsSync("/proc/self/stat") && existsSync("/proc/sys/kernel/random/boot_id");

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

describe("withFileLock across containers and restarts", () => {
  it("a lock naming another host (a recreated container), not renewed for its lease, is taken over", async () => {
    const lock = join(temp(), ".botknobs-lock");
    leftLock(lock, { host: "container-gone-1f3a", pid: 1, token: "old" }, 120_000);
    expect(await withFileLock(lock, async () => "got it", { timeoutMs: 3000 })).toBe("got it");
    expect(existsSync(lock)).toBe(false);
  });

  it("a lock of another host renewed just now is respected for its lease, and taken once it runs out", async () => {
    const lock = join(temp(), ".botknobs-lock");
    leftLock(lock, { host: "container-elsewhere", pid: 7, token: "theirs" });
    const waited = await rejection(
      withFileLock(lock, async () => "too early", { timeoutMs: 300, leaseMs: 60_000 }),
    );
    expect(waited).toBeInstanceOf(AdapterError);
    expect(JSON.parse(readFileSync(lock, "utf8")).token).toBe("theirs");
    expect(await withFileLock(lock, async () => "got it", { timeoutMs: 5000, leaseMs: 400 })).toBe(
      "got it",
    );
  });

  it("a lock left before a restart naming a pid that is alive again (pid reuse) is taken over", async () => {
    const lock = join(temp(), ".botknobs-lock");
    // The lock file of the code before leases: host, pid and token only.
    leftLock(lock, { host: hostname(), pid: unrelatedProcess(), token: "before" }, 120_000);
    expect(await withFileLock(lock, async () => "got it", { timeoutMs: 3000 })).toBe("got it");
  });

  it.skipIf(!procFs)(
    "a fresh lock naming a live pid with another start time (reused) is taken at once, within its lease",
    async () => {
      const lock = join(temp(), ".botknobs-lock");
      const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
      leftLock(lock, {
        host: hostname(),
        pid: unrelatedProcess(),
        token: "reused",
        boot,
        start: 1,
      });
      expect(
        await withFileLock(lock, async () => "got it", { timeoutMs: 2000, leaseMs: 60_000 }),
      ).toBe("got it");
    },
  );

  it.skipIf(!procFs)(
    "a fresh lock of this host from an earlier boot is taken at once, within its lease",
    async () => {
      const lock = join(temp(), ".botknobs-lock");
      leftLock(lock, {
        host: hostname(),
        pid: process.pid,
        token: "old-boot",
        boot: "not-this-boot",
      });
      expect(
        await withFileLock(lock, async () => "got it", { timeoutMs: 2000, leaseMs: 60_000 }),
      ).toBe("got it");
    },
  );

  it("a holder that keeps the lock longer than its lease renews it: never two holders", async () => {
    const dir = temp();
    const lock = join(dir, ".botknobs-lock");
    const counter = join(dir, "counter");
    const args = [lock, counter, join(dir, "marker"), "3", "600", "200"];
    const results = await Promise.all([worker(args), worker(args)]);
    expect(results.map((r) => r.overlaps)).toEqual([0, 0]);
    expect(readFileSync(counter, "utf8")).toBe("6");
  }, 60_000);

  it("a holder killed with kill -9 while holding: the next taker goes in at once", async () => {
    const dir = temp();
    const lock = join(dir, ".botknobs-lock");
    const holder = spawnWorker([lock, join(dir, "counter"), join(dir, "marker"), "1", "60000"]);
    children.push(holder);
    await new Promise<void>((inside) => holder.stdout?.once("data", () => inside()));
    holder.kill("SIGKILL");
    await new Promise((exited) => holder.once("exit", exited));
    expect(await withFileLock(lock, async () => "got it", { timeoutMs: 3000 })).toBe("got it");
  }, 30_000);
});
