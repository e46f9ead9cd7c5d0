// FileRecordStore across processes and crashes: two processes × 20 concurrent writers (half on
// the same ids) give every version exactly once with complete histories; a writer killed with
// SIGKILL mid-run leaves a store the next process opens and writes cleanly; torn last lines
// (also the record-store suite's crash.torn-write, node-suites.ts), compaction, a journal
// rewritten in place, damage and a newer format.
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { FileRecordStore } from "../../src/adapters/fs/index.ts";
import { configOf } from "../../src/core/registry/registration.ts";
import { AdapterError, type RegistrationDict, StoreRegistryBackend } from "../../src/index.ts";
import { rejection } from "../../src/testing/index.ts";
import {
  child,
  type Done,
  expectAllKept,
  histories,
  run,
} from "../fixtures/file-store-children.ts";
import { recordOf } from "../fixtures/records.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "botknobs-frs-"));
  dirs.push(d);
  return d;
}

describe("FileRecordStore across processes", () => {
  it("2 processes × 20 concurrent writers (half on 5 shared ids): every version once, histories complete", async () => {
    const dir = temp();
    const [a, b] = await Promise.all([
      run(["writers", dir, "a", "20", "8"]),
      run(["writers", dir, "b", "20", "8"]),
    ]);
    const writes = [...(a as Done[]), ...(b as Done[])];
    expect(writes).toHaveLength(320);
    const backend = new StoreRegistryBackend({ store: new FileRecordStore({ path: dir }) });
    expectAllKept(writes, await histories(backend));
    // Both processes wrote the shared ids.
    const shared = (await histories(backend)).get("shared-0") ?? [];
    expect(new Set(shared.map((r) => (r.config as { tag: string }).tag))).toEqual(
      new Set(["a", "b"]),
    );
  }, 120_000);

  it("a writer killed with SIGKILL mid-run: the next process opens the store, finds every completed write, writes on", async () => {
    const dir = temp();
    const writes: Done[] = [];
    for (let round = 0; round < 3; round++) {
      const proc = child(["loop", dir, `k${round}`]);
      const lines = createInterface({ input: proc.stdout });
      await new Promise<void>((enough) => {
        let seen = 0;
        lines.on("line", (line) => {
          writes.push(JSON.parse(line) as Done);
          if (++seen === 40 + round * 7) {
            proc.kill("SIGKILL");
            enough();
          }
        });
      });
      await new Promise((exited) =>
        proc.exitCode !== null ? exited(null) : proc.once("exit", exited),
      );
      lines.close();
    }
    const backend = new StoreRegistryBackend({
      store: new FileRecordStore({ path: dir, lockTimeoutMs: 5000 }),
    });
    await backend.initialize();
    const kept = await histories(backend);
    // Every write the child reported is there with its content (a write under way when it died
    // may be there too, one version more than reported).
    for (const w of writes)
      expect(kept.get(w.id)?.find((r) => r.version === w.version)?.config).toEqual(w.config);
    for (const [, versions] of kept)
      expect(versions.map((r) => r.version)).toEqual(versions.map((_, i) => versions.length - i));
    const after = await backend.register("loop-0", { after: true });
    expect(after.version).toBe((kept.get("loop-0")?.length ?? 0) + 1);
    const text = readFileSync(join(dir, "registry.jsonl"), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    for (const line of text.trimEnd().split("\n")) JSON.parse(line);
  }, 120_000);
});

describe("FileRecordStore journal", () => {
  const record = (id: string, version: number): RegistrationDict =>
    recordOf(id, version, { version });

  it("a torn last line is ignored by readers and closed off by the next writer, which marks it skipped", async () => {
    const dir = temp();
    const a = new FileRecordStore({ path: dir });
    await a.initialize();
    await a.put(record("x", 1), { expectedVersion: null });
    await a.put(record("x", 2), { expectedVersion: 1 });
    const journal = join(dir, "registry.jsonl");
    const torn = '{"n":3,"w":"0badc0ffee00","op":"put","record":{"bot_id":"x","version":3,"con';
    appendFileSync(journal, torn);
    const b = new FileRecordStore({ path: dir });
    await b.initialize();
    expect((await b.get("x"))?.version).toBe(2);
    expect((await a.history("x")).items.map((r) => r.version)).toEqual([2, 1]);
    expect(await b.put(record("x", 3), { expectedVersion: 2 })).toBe(true);
    // Nothing is cut (a second writer could not tell that from losing its own line): the torn
    // bytes end as a line of their own ("~" added: never an operation), which the next marks.
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe(`${torn}~`);
    expect(JSON.parse(lines[4] as string)).toEqual(
      expect.objectContaining({ n: 3, torn: torn.length, op: "put" }),
    );
    for (const store of [a, b, new FileRecordStore({ path: dir })]) {
      expect((await store.get("x"))?.version).toBe(3);
      expect((await store.history("x")).items.map((r) => r.version)).toEqual([3, 2, 1]);
    }
  });

  it("compaction rewrites a journal of touches into its state; other instances reload; revision and history kept", async () => {
    const dir = temp();
    const a = new FileRecordStore({ path: dir, sync: false });
    const b = new FileRecordStore({ path: dir, sync: false });
    await a.initialize();
    await b.initialize();
    for (let v = 1; v <= 3; v++)
      await a.put(record("h", v), { expectedVersion: v === 1 ? null : v - 1 });
    await a.put(record("gone", 1), { expectedVersion: null });
    await a.delete("gone");
    const revision = await b.revision();
    const journal = join(dir, "registry.jsonl");
    const before = statSync(journal);
    for (let i = 0; i < 300; i++)
      await a.touch("h", new Date(Date.UTC(2026, 1, 1, 0, 0, i)).toISOString(), { version: 3 });
    const after = statSync(journal);
    expect(after.ino).not.toBe(before.ino);
    expect(readFileSync(journal, "utf8").trimEnd().split("\n").length).toBeLessThan(100);
    expect(await b.revision()).toBe(revision);
    expect(await a.revision()).toBe(revision);
    expect((await b.history("h")).items.map((r) => configOf(r))).toEqual([
      { version: 3 },
      { version: 2 },
      { version: 1 },
    ]);
    expect((await b.get("h"))?.last_accessed_at).toBe("2026-02-01T00:04:59.000Z");
    expect(await b.get("gone")).toBeNull();
    // Writes go on from both, and each sees the other's.
    expect(await b.put(record("h", 4), { expectedVersion: 3 })).toBe(true);
    expect((await a.get("h"))?.version).toBe(4);
    expect(await a.revision()).not.toBe(revision);
    // A new instance loads the compacted file whole.
    const c = new FileRecordStore({ path: dir });
    expect((await c.history("h")).items.map((r) => r.version)).toEqual([4, 3, 2, 1]);
  });

  it("historyLimit on the store: the newest N kept after each put, and at start for bots written before with more; compaction drops the rest", async () => {
    const dir = temp();
    const unlimited = new FileRecordStore({ path: dir, sync: false });
    for (let v = 1; v <= 200; v++)
      for (const id of ["a", "b"])
        await unlimited.put(record(id, v), { expectedVersion: v === 1 ? null : v - 1 });
    expect((await unlimited.history("a", { limit: 500 })).items).toHaveLength(200);
    const journal = join(dir, "registry.jsonl");
    const before = statSync(journal).size;
    const limited = new FileRecordStore({ path: dir, sync: false, historyLimit: 3 });
    for (const store of [limited, unlimited])
      expect((await store.history("a")).items.map((r) => r.version)).toEqual([200, 199, 198]);
    expect(await limited.getVersion("b", 197)).toBeNull();
    expect(await limited.put(record("a", 201), { expectedVersion: 200 })).toBe(true);
    expect((await unlimited.history("a")).items.map((r) => r.version)).toEqual([201, 200, 199]);
    // Compacted: the journal holds the kept versions, not the 400 written.
    expect(statSync(journal).size).toBeLessThan(before / 10);
  });

  it("a journal rewritten in place (same inode, other content) is reloaded whole, not misread", async () => {
    const dir = temp();
    const other = temp();
    const a = new FileRecordStore({ path: dir });
    await a.put(record("mine", 1), { expectedVersion: null });
    const o = new FileRecordStore({ path: other });
    for (let v = 1; v <= 5; v++)
      await o.put(record("theirs", v), { expectedVersion: v === 1 ? null : v - 1 });
    const journal = join(dir, "registry.jsonl");
    const ino = statSync(journal).ino;
    writeFileSync(journal, readFileSync(join(other, "registry.jsonl")));
    expect(statSync(journal).ino).toBe(ino);
    expect(await a.get("mine")).toBeNull();
    expect((await a.get("theirs"))?.version).toBe(5);
  });

  it("damage is an AdapterError naming the journal; a newer format says so; crashed compactions are swept", async () => {
    const dir = temp();
    const a = new FileRecordStore({ path: dir });
    await a.put(record("x", 1), { expectedVersion: null });
    await a.put(record("x", 2), { expectedVersion: 1 });
    const journal = join(dir, "registry.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    writeFileSync(journal, [lines[0], "not json", lines[2], ""].join("\n"));
    const damaged = await rejection(new FileRecordStore({ path: dir }).get("x"));
    expect(damaged).toBeInstanceOf(AdapterError);
    expect((damaged as Error).message).toContain("registry.jsonl");
    const header = JSON.parse(lines[0] as string);
    writeFileSync(journal, `${JSON.stringify({ ...header, format: 99 })}\n`);
    const newer = await rejection(new FileRecordStore({ path: dir }).initialize());
    expect((newer as Error).message).toContain("newer");
    writeFileSync(journal, `${lines[0]}\n`);
    writeFileSync(join(dir, ".botknobs-compact-registry.jsonl-dead"), "half a compaction");
    await new FileRecordStore({ path: dir }).initialize();
    expect(readdirSync(dir).filter((n) => n.includes("compact"))).toEqual([]);
  });
});
