// SQLite under faults, with real processes: a writer kill -9ed in the middle of its transaction
// (the record is the last committed version or the one in flight, whole, with its history; the
// file checks out), and two processes writing one file at once (every write lands once, none is
// refused for the lock). The writers are test/fixtures/sqlite-writer.ts; with
// BOTKNOBS_TEST_SQLITE_UNSAFE they keep their rollback journal in memory (`journal`) or wait for
// no lock (`lock`), and the cases marked "not blind" show the same checks catch that.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteDatabase, SqliteRecordStore } from "../../src/adapters/sqlite/index.ts";
import { configOf, type StoredRegistration } from "../../src/core/registry/registration.ts";
import { recordOf as record } from "../fixtures/records.ts";
import {
  isWhole,
  killHard,
  startWriter,
  untilLine,
  versionConfig,
} from "../fixtures/sqlite-children.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-sqlite-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a kill left of `bot`: the problems found (none when the file checks out and the record is
 * version `printed` — the last the writer said it committed — or the one after, whole, with
 * every version below it in history).
 */
async function inspect(path: string, bot: string, printed: number): Promise<string[]> {
  const problems: string[] = [];
  const db = await openSqliteDatabase(path);
  const [check] = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
  db.close();
  if (check?.integrity_check !== "ok") problems.push(`integrity_check: ${check?.integrity_check}`);
  const store = new SqliteRecordStore({ path });
  try {
    const found = await store.get(bot);
    const version = found?.version ?? 0;
    // The last version the writer printed is committed; the one in flight may be too.
    if (version !== printed && version !== printed + 1)
      problems.push(`version ${version} after ${printed} was printed`);
    if (found && !isWhole(configOf(found), version)) problems.push(`version ${version} is torn`);
    const history = await store.history(bot, { limit: 1000 });
    const versions = history.items.map((r) => r.version);
    const expected = Array.from({ length: version }, (_, i) => version - i);
    if (JSON.stringify(versions) !== JSON.stringify(expected))
      problems.push(`history ${versions.slice(0, 5).join(",")}… of ${versions.length}`);
    for (const kept of history.items.slice(0, 3))
      if (!isWhole(configOf(kept), kept.version))
        problems.push(`history version ${kept.version} is torn`);
  } catch (error) {
    problems.push(`unreadable: ${(error as Error).message}`);
  } finally {
    await store.close();
  }
  return problems;
}

/** Rounds of: a looping writer, kill -9 at a random moment while it writes; what each left. */
async function killRounds(path: string, rounds: number, env: NodeJS.ProcessEnv = {}) {
  const found: string[][] = [];
  let printed = 0;
  for (let round = 0; round < rounds; round++) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const child = startWriter(["loop", path, "-", `r${round}`]);
    process.env = saved;
    let last = printed;
    // At least one commit of this round, then a random moment (each write takes tens of ms).
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => {
        for (const line of String(d).split("\n")) if (/^\d+$/.test(line)) last = Number(line);
        if (last > printed) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the writer exited (${code})`)));
    });
    await sleep(Math.random() * 120);
    await killHard(child);
    printed = last;
    found.push(await inspect(path, "torn", printed));
    if (printed === 0) break;
  }
  return found;
}

describe("SqliteRecordStore: a writer killed mid-transaction (kill -9)", () => {
  it("leaves the old or the new record, never a torn one: 6 rounds, each record whole with its history, the file intact", async () => {
    const path = join(dir, "killed.db");
    const rounds = await killRounds(path, 6);
    expect(rounds).toHaveLength(6);
    expect(rounds.flat()).toEqual([]);
  }, 120_000);

  /**
   * Version 1 of "x" (4 MB), then a writer killed holding an uncommitted rewrite of it to
   * version 2 (its pages already in the file); what readers find after.
   */
  async function holdAndKill(path: string, env: NodeJS.ProcessEnv = {}) {
    const store = new SqliteRecordStore({ path });
    const first = record("x", 1, versionConfig(1, 4_000_000));
    expect(await store.put(first, { expectedVersion: null })).toBe(true);
    await store.close();
    const walBefore = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const child = startWriter(["hold", path, "-", "x", "2"]);
    process.env = saved;
    await untilLine(child, "ready");
    await killHard(child);
    const walGrowth = (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0) - walBefore;
    return { walGrowth, problems: await inspect(path, "x", 1) };
  }

  it("a writer killed with 4 MB of its rewrite already in the WAL: readers see the last commit whole, the next write goes on", async () => {
    const path = join(dir, "held.db");
    const { walGrowth, problems } = await holdAndKill(path);
    // The killed transaction's pages were in the WAL, without a commit record.
    expect(walGrowth).toBeGreaterThan(3_000_000);
    expect(problems).toEqual([]);
    const [one, two] = [new SqliteRecordStore({ path }), new SqliteRecordStore({ path })];
    const next = record("x", 2, versionConfig(2, 1000));
    expect(await two.put(next, { expectedVersion: 1 })).toBe(true);
    expect((await one.history("x")).items.map((r) => r.version)).toEqual([2, 1]);
    expect(isWhole(configOf((await one.get("x")) as StoredRegistration), 2)).toBe(true);
    await one.close();
    await two.close();
  }, 60_000);

  it("the same kill against a writer whose journal is in memory (journal_mode = MEMORY) is caught: the test is not blind", async () => {
    const { problems } = await holdAndKill(join(dir, "unsafe.db"), {
      BOTKNOBS_TEST_SQLITE_UNSAFE: "journal",
    });
    expect(problems.length).toBeGreaterThan(0);
  }, 60_000);
});

/** Runs a `writers` child to its end: the writes it reported, or the error it died of. */
function writer(path: string, tag: string, writes: number, env: NodeJS.ProcessEnv = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const child = startWriter(["writers", path, "-", tag, String(writes)]);
  process.env = saved;
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr?.removeAllListeners("data");
  child.stderr?.on("data", (d: Buffer) => {
    err += d;
  });
  const ready = untilLine(child, "ready");
  const ended = new Promise<{
    done: { id: string; version: number; config: unknown }[];
    error: string;
  }>((resolve) =>
    child.once("exit", (code) => {
      const lines = out.trim().split("\n").slice(1); // after "ready"
      const finished = code === 0 && lines.pop() === "done";
      resolve({
        done: finished ? lines.map((l) => JSON.parse(l)) : [],
        error: finished ? "" : `exit ${code}: ${err.slice(-300)}`,
      });
    }),
  );
  return { ready, ended };
}

/**
 * Two writers started together (both open, then told to go at once), so their writes contend
 * for the file's lock (the "not blind" case shows they do): what each did.
 */
async function twoWriters(path: string, writes: number, env: NodeJS.ProcessEnv = {}) {
  const [a, b] = [writer(path, "a", writes, env), writer(path, "b", writes, env)];
  // A writer that dies opening the file (the other holding its lock, without a busy timeout)
  // says why in its result's `error`, as one that dies writing does.
  await Promise.all([a.ready.catch(() => {}), b.ready.catch(() => {})]);
  writeFileSync(`${path}.go`, "");
  return Promise.all([a.ended, b.ended]);
}

describe("SqliteRecordStore: two processes writing one file", () => {
  it("both finish (a locked file is waited for, never an error), every write lands once: 80 versions of the shared bot, 40 of each own one", async () => {
    const path = join(dir, "two.db");
    const [a, b] = await twoWriters(path, 40);
    expect([a.error, b.error]).toEqual(["", ""]);
    const store = new SqliteRecordStore({ path });
    try {
      const versions = async (id: string) =>
        (await store.history(id, { limit: 1000 })).items.map((r) => [r.version, configOf(r)]);
      const shared = await versions("shared");
      expect(shared.map(([v]) => v)).toEqual(Array.from({ length: 80 }, (_, i) => 80 - i));
      for (const [tag, run] of [
        ["a", a],
        ["b", b],
      ] as const) {
        expect((await versions(`own-${tag}`)).map(([v]) => v)).toEqual(
          Array.from({ length: 40 }, (_, i) => 40 - i),
        );
        // Each write a process reported is the version kept, with its config.
        expect(run.done).toHaveLength(80);
        for (const w of run.done) {
          const kept = await store.getVersion(w.id, w.version);
          expect(kept === null ? null : configOf(kept)).toEqual(w.config);
        }
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  it("the same two processes without a busy timeout are caught: the test is not blind", async () => {
    const path = join(dir, "two-unsafe.db");
    const env = { BOTKNOBS_TEST_SQLITE_UNSAFE: "lock" };
    // Contention needs the two runs to overlap, which a loaded machine may not give 40 writes
    // (one process can finish before the other starts): 400 writes each, up to three rounds.
    let errors = "";
    for (let round = 0; round < 3 && !/SQLITE_BUSY|database is locked/.test(errors); round++)
      errors = (await twoWriters(`${path}.${round}`, 400, env)).map((r) => r.error).join(" ");
    expect(errors).toMatch(/SQLITE_BUSY|database is locked/);
  }, 120_000);
});
