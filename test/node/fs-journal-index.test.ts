// The registry journal's index: a restart reads `.botknobs-index-registry` and only the lines
// after it — shown by damaging an old line, which a restart through the index never reads (a
// whole read names it) — with the same state as the writer's: records, history, access times,
// deletes after the index, revision. An index that does not match the journal is ignored.
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileRecordStore } from "../../src/adapters/fs/index.ts";
import { configOf } from "../../src/core/registry/registration.ts";
import { AdapterError } from "../../src/index.ts";
import { rejection } from "../../src/testing/index.ts";
import { recordOf } from "../fixtures/records.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A registry with two bots of 600 versions (an index written), then writes after the index. */
async function written(): Promise<{ dir: string; writer: FileRecordStore }> {
  const dir = mkdtempSync(join(tmpdir(), "botknobs-index-"));
  dirs.push(dir);
  const writer = new FileRecordStore({ path: dir, sync: false });
  for (let v = 1; v <= 600; v++)
    for (const id of ["a", "b"])
      await writer.put(recordOf(id, v), { expectedVersion: v === 1 ? null : v - 1 });
  await writer.touch("a", "2026-03-01T00:00:00.000Z", { version: 600 });
  await writer.put(recordOf("c", 1), { expectedVersion: null });
  await writer.delete("b");
  return { dir, writer };
}

async function sameState(store: FileRecordStore, writer: FileRecordStore): Promise<void> {
  expect(await store.revision()).toBe(await writer.revision());
  expect((await store.list()).items.map((r) => r.bot_id)).toEqual(["a", "c"]);
  expect(await store.get("a")).toEqual(await writer.get("a"));
  expect((await store.get("a"))?.last_accessed_at).toBe("2026-03-01T00:00:00.000Z");
  expect(await store.get("b")).toBeNull();
  const page = await store.history("a", { limit: 5 });
  expect(page).toEqual(await writer.history("a", { limit: 5 }));
  expect(page.items.map((r) => r.version)).toEqual([600, 599, 598, 597, 596]);
  expect(configOf((await store.getVersion("a", 300)) as never)).toEqual({ n: 300 });
}

/** Overwrites the start of line `line` of the journal with `#`s (same length: offsets hold). */
function damageLine(dir: string, line: number): void {
  const path = join(dir, "registry.jsonl");
  const bytes = readFileSync(path);
  let at = 0;
  for (let i = 1; i < line; i++) at = bytes.indexOf(0x0a, at) + 1;
  bytes.fill(0x23, at, at + 12);
  writeFileSync(path, bytes);
}

describe("the registry journal's index", () => {
  it("a restart reads the index and the lines after it, not the old lines: the writer's state", async () => {
    const { dir, writer } = await written();
    const index = JSON.parse(readFileSync(join(dir, ".botknobs-index-registry"), "utf8"));
    expect(index.lines).toBeGreaterThanOrEqual(1000);
    // Line 2 is version 1 of 'a', long before the index's end: a restart must not read it.
    damageLine(dir, 2);
    const restarted = new FileRecordStore({ path: dir });
    await sameState(restarted, writer);
    const old = await rejection(restarted.getVersion("a", 1));
    expect(old).toBeInstanceOf(AdapterError);
    expect((old as Error).message).toMatch(/registry\.jsonl: line 2 is not JSON/);
    // Without the index the whole journal is read, and the damaged line named.
    unlinkSync(join(dir, ".botknobs-index-registry"));
    const whole = await rejection(new FileRecordStore({ path: dir }).get("a"));
    expect((whole as Error).message).toMatch(/registry\.jsonl: line 2 is not JSON/);
  });

  it("an index that does not match the journal (not one, another file, other bytes at its end) is ignored", async () => {
    const { dir, writer } = await written();
    const path = join(dir, ".botknobs-index-registry");
    const index = JSON.parse(readFileSync(path, "utf8"));
    for (const bad of [
      "not an index",
      JSON.stringify({ ...index, file: "another-file" }),
      JSON.stringify({
        ...index,
        last: { ...index.last, head: `${index.last.head.slice(0, -1)}#` },
      }),
      JSON.stringify({ ...index, bots: [["a", null, [[1, 0, 10, 1]]]] }),
    ]) {
      writeFileSync(path, bad);
      await sameState(new FileRecordStore({ path: dir }), writer);
    }
  });
});
