// A data folder written by the FileRecordStore of before the record envelope (journal format 1,
// test/fixtures/v0-data: a plain journal and a compacted one, with what that code read back)
// opens unchanged: every bot, version and history reads exactly as it did, and reading writes
// nothing. Writes go on: one without an envelope appends in format 1 (old readers still read
// the file); the first with one rewrites the journal in format 2, which old readers refuse.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileRecordStore } from "../../src/adapters/fs/index.ts";
import { StoreRegistryBackend } from "../../src/index.ts";
import expectedJson from "../fixtures/v0-data/expected.json";
import { readContents, type StoreContents } from "../fixtures/v0-scenario.ts";

const fixtures = resolve(import.meta.dirname, "../fixtures/v0-data");
const expected = expectedJson as unknown as Record<string, StoreContents>;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of a fixture folder (the fixture itself is never written). */
function copy(name: string): { dir: string; journal: string } {
  const dir = mkdtempSync(join(tmpdir(), "botknobs-v0-"));
  dirs.push(dir);
  cpSync(join(fixtures, name), dir, { recursive: true });
  return { dir, journal: join(dir, "registry.jsonl") };
}

const header = (journal: string): { format: number; store: string } =>
  JSON.parse(readFileSync(journal, "utf8").split("\n")[0] as string);

describe.each(["registry", "compacted"])("a format-1 data folder (%s)", (name) => {
  const want = expected[name] as StoreContents;

  it("reads exactly what the old code read, revision included; reading writes nothing", async () => {
    const { dir, journal } = copy(name);
    const bytes = readFileSync(journal);
    expect(header(journal).format).toBe(1);
    const store = new FileRecordStore({ path: dir });
    expect(await readContents(store)).toEqual(want);
    for (const r of want.list) expect("ext" in r).toBe(false);
    expect(readFileSync(journal).equals(bytes)).toBe(true);
  });

  it("a write without an envelope appends in format 1; reopened, old and new read back", async () => {
    const { dir, journal } = copy(name);
    const size = readFileSync(journal).length;
    const backend = new StoreRegistryBackend({ store: new FileRecordStore({ path: dir }) });
    const next = await backend.update("beta", { prompt: "v0 and on" });
    expect(header(journal).format).toBe(1);
    expect(readFileSync(journal).length).toBeGreaterThan(size);
    const after = await readContents(new FileRecordStore({ path: dir }));
    expect(after.bots.beta?.history.slice(1)).toEqual(want.bots.beta?.history);
    expect(after.bots.beta?.get?.version).toBe(next.version);
    expect(after.bots.alpha).toEqual(want.bots.alpha);
  });

  it("the first write with an envelope rewrites the journal in format 2 first; everything kept, reopened", async () => {
    const { dir, journal } = copy(name);
    const { store: id } = header(journal);
    const reader = new FileRecordStore({ path: dir });
    expect(await readContents(reader)).toEqual(want);
    const backend = new StoreRegistryBackend({ store: new FileRecordStore({ path: dir }) });
    const next = await backend.update("alpha", { model: "c" }, { actor: "ops", reason: "v2" });
    expect(header(journal)).toEqual(expect.objectContaining({ format: 2, store: id }));
    // Another instance that had read format 1 notices the new file and reloads it.
    for (const store of [reader, new FileRecordStore({ path: dir })]) {
      const after = await readContents(store);
      expect(after.bots.alpha?.history.slice(1)).toEqual(want.bots.alpha?.history);
      expect(after.bots.alpha?.get?.ext).toEqual({ write_context: { actor: "ops", reason: "v2" } });
      expect(after.bots.beta).toEqual(want.bots.beta);
      expect(after.bots["delta:1@x"]).toEqual(want.bots["delta:1@x"]);
      expect(after.revision).toBe(`${id.slice(0, 8)}-${Number(want.revision.split("-")[1]) + 1}`);
    }
    expect(next.writeContext).toEqual({ actor: "ops", reason: "v2" });
  });
});
