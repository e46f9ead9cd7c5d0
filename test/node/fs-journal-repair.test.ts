// A damaged registry journal: the reader names the line (file, line number, what is wrong) and
// the way out, never throws a TypeError; `repairJournal` (and `npm run repair -- <data folder>`)
// keeps every line that parses and fits, sets the others aside in a file beside the journal and
// says what it did. The journals here are what an old, unfenced writer, a bit flip and a crash
// leave: duplicate operation numbers, a line that is not JSON, invalid UTF-8, a torn last line.
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { opLine } from "../../src/adapters/fs/fs-journal.ts";
import { FileRecordStore, repairJournal } from "../../src/adapters/fs/index.ts";
import { configOf } from "../../src/core/registry/registration.ts";
import { AdapterError } from "../../src/index.ts";
import { rejection } from "../../src/testing/index.ts";
import { recordOf } from "../fixtures/records.ts";

const root = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "botknobs-repair-"));
  dirs.push(d);
  return d;
}

const header = (n = 0): string =>
  JSON.stringify({
    botknobs: "record-journal",
    format: 2,
    store: "5e1f0a2c-0000-4000-8000-000000000001",
    file: "5e1f0a2c-0000-4000-8000-000000000002",
    n,
    rev: 0,
  });
/** A put line as botknobs writes it, without a nonce (as a writer before fencing did). */
const put = (n: number, id: string, version: number, config?: Record<string, unknown>): string =>
  opLine({ op: "put", record: recordOf(id, version, config) }).replace("{", `{"n":${n},`);

/** A registry folder whose journal holds `lines` (Buffers kept as bytes), each ended by `\n`. */
function journal(lines: Array<string | Buffer>, tail = ""): { dir: string; path: string } {
  const dir = temp();
  const path = join(dir, "registry.jsonl");
  writeFileSync(path, "");
  for (const line of lines)
    appendFileSync(path, Buffer.concat([Buffer.from(line), Buffer.from("\n")]));
  if (tail) appendFileSync(path, tail);
  return { dir, path };
}

/** `text` with its first `marker` replaced by the bytes of `bytes` (invalid UTF-8). */
function withBytes(text: string, marker: string, bytes: number[]): Buffer {
  const at = text.indexOf(marker);
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    Buffer.from(bytes),
    Buffer.from(text.slice(at + marker.length)),
  ]);
}

describe("a damaged journal, read", () => {
  it("invalid UTF-8 in the current record: an AdapterError naming the file and the line, not a TypeError", async () => {
    const { dir } = journal([
      header(),
      put(1, "x", 1),
      put(2, "x", 2),
      withBytes(put(3, "y", 1, { name: "MARK" }), "MARK", [0x4d, 0xff, 0xfe]),
    ]);
    const error = await rejection(new FileRecordStore({ path: dir }).get("y"));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toMatch(/registry\.jsonl: line 4 .*UTF-8/);
  });

  it("invalid UTF-8 in an old version: the store serves, and reading that version names the file and line", async () => {
    const { dir } = journal([
      header(),
      withBytes(put(1, "x", 1, { name: "MARK" }), "MARK", [0xc3, 0x28]),
      put(2, "x", 2),
    ]);
    const store = new FileRecordStore({ path: dir });
    expect((await store.get("x"))?.version).toBe(2);
    const error = await rejection(store.getVersion("x", 1));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toMatch(/registry\.jsonl: line 2 .*UTF-8/);
    expect((error as Error).message).toContain("npm run repair");
  });

  it("a line that is not JSON: the error names the file, the line, what is wrong and the repair command", async () => {
    const { dir } = journal([header(), put(1, "x", 1), "{not json", put(2, "x", 2)]);
    const error = await rejection(new FileRecordStore({ path: dir }).get("x"));
    expect(error).toBeInstanceOf(AdapterError);
    const message = (error as Error).message;
    expect(message).toMatch(/registry\.jsonl: line 3 is not JSON/);
    expect(message).toContain("npm run repair");
  });

  it("an operation number used twice (an old writer without fencing): refused, naming the lines and the repair command", async () => {
    const { dir } = journal([header(), put(1, "x", 1), put(2, "x", 2), put(2, "y", 1)]);
    const error = await rejection(new FileRecordStore({ path: dir }).list());
    expect(error).toBeInstanceOf(AdapterError);
    const message = (error as Error).message;
    expect(message).toMatch(/registry\.jsonl: line 4 .*operation 2.*line 3/);
    expect(message).toContain("npm run repair");
  });
});

/** What an old unfenced writer, a bit flip, a bad disk and a crash left. */
function wrecked(): { dir: string; path: string } {
  return journal(
    [
      header(),
      put(1, "x", 1, { v: "x1" }),
      put(2, "x", 2, { v: "x2" }),
      // Another writer's operation 2, written without the lock: it fits (another bot).
      put(2, "y", 1, { v: "y1" }),
      put(3, "x", 3, { v: "x3" }),
      // The other writer's operation 3: version 3 of x again, which does not fit.
      put(3, "x", 3, { v: "x3-lost" }),
      "{not json",
      withBytes(put(4, "z", 1, { v: "MARK" }), "MARK", [0xff]),
      put(5, "x", 4, { v: "x4" }),
    ],
    '{"n":6,"op":"pu',
  );
}

describe("repairJournal", () => {
  it("keeps every line that parses and fits, sets the rest aside beside the journal, and reports it", async () => {
    const { dir, path } = wrecked();
    const report = await repairJournal(dir);
    expect(report.journal).toBe(path);
    expect(report.kept).toBe(5);
    expect(report.dropped.map((d) => d.line)).toEqual([6, 7, 8, 10]);
    expect(report.dropped[0]?.reason).toMatch(/does not fit.*3 of bot 'x'/);
    expect(report.dropped[1]?.reason).toMatch(/not JSON/);
    expect(report.dropped[2]?.reason).toMatch(/UTF-8/);
    expect(report.dropped[3]?.reason).toMatch(/torn/);
    // Set aside beside the journal: each dropped line, its number and why.
    expect(report.setAside).not.toBeNull();
    const aside = readFileSync(report.setAside as string, "utf8")
      .trimEnd()
      .split("\n");
    expect(aside.map((l) => JSON.parse(l).line)).toEqual([6, 7, 8, 10]);
    expect(aside.join("\n")).toContain("x3-lost");
    // The registry opens and holds every good line.
    const store = new FileRecordStore({ path: dir });
    const history = (await store.history("x")).items.map((r) => configOf(r));
    expect(history).toEqual([{ v: "x4" }, { v: "x3" }, { v: "x2" }, { v: "x1" }]);
    expect(configOf((await store.get("y")) as never)).toEqual({ v: "y1" });
    expect(await store.get("z")).toBeNull();
    // And writes go on.
    expect(await store.put(recordOf("x", 5), { expectedVersion: 4 })).toBe(true);
  });

  it("a healthy journal is left as it is", async () => {
    const { dir, path } = journal([header(), put(1, "x", 1), put(2, "x", 2)]);
    const before = readFileSync(path);
    const report = await repairJournal(dir);
    expect(report).toEqual(expect.objectContaining({ kept: 2, dropped: [], setAside: null }));
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("`npm run repair -- <data folder>` repairs the registry under it and says what it did", () => {
    const { dir: registry } = wrecked();
    const data = temp();
    mkdirSync(join(data, "registry"));
    for (const name of ["registry.jsonl"])
      writeFileSync(join(data, "registry", name), readFileSync(join(registry, name)));
    const out = spawnSync("npm", ["run", "--silent", "repair", "--", data], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/kept 5 line/);
    expect(out.stdout).toMatch(/set aside 4 line/);
    expect(out.stdout).toContain("line 7");
    const aside = out.stdout.match(/set aside .* in (\S+)/)?.[1] as string;
    expect(existsSync(aside)).toBe(true);
  });
});
