// `npm start` on SQLite (issue 17, item 8): a data folder written by the file journal opens and
// is migrated on its first start (one line; every bot and version kept, read back exactly as the
// old code read it; the old files set aside, not deleted) — by one of two processes starting at
// once; a `serve` killed with -9 in the middle of writes leaves the other process and a restart
// the old record or the new one, never a torn one; `--store` chooses, and a folder on SQLite is
// never served from files.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteRecordStore } from "../../src/adapters/sqlite/index.ts";
import { cli } from "../fixtures/cli.ts";
import { npmStart, type Started } from "../fixtures/npm-start.ts";
import { isWhole, killHard, versionConfig } from "../fixtures/sqlite-children.ts";
import expectedJson from "../fixtures/v0-data/expected.json";
import { readContents, type StoreContents } from "../fixtures/v0-scenario.ts";

const fixtures = resolve(import.meta.dirname, "../fixtures/v0-data");
const expected = expectedJson as unknown as Record<string, StoreContents>;
const data = mkdtempSync(join(tmpdir(), "botknobs-start-sqlite-"));
afterAll(() => rmSync(data, { recursive: true, force: true }));

const json = { "content-type": "application/json" };
const put = (url: string, id: string, config: unknown): Promise<Response> =>
  fetch(`${url}/bots/${id}`, { method: "PUT", headers: json, body: JSON.stringify({ config }) });

/** What a SQLite registry holds, read with the store of this tree. */
async function contents(db: string): Promise<StoreContents> {
  const store = new SqliteRecordStore({ path: db });
  try {
    return await readContents(store);
  } finally {
    await store.close();
  }
}

describe("npm start on SQLite", () => {
  it.each(["registry", "compacted"])(
    "an old data folder (a format-1 file journal, %s) is migrated on first start by one of two processes starting at once: one line, every bot and version as the old code read it, the old files kept in pre-sqlite/",
    async (name) => {
      const dir = join(data, `old-${name}`);
      mkdirSync(dir);
      cpSync(join(fixtures, name), join(dir, "registry"), { recursive: true });
      const journal = readFileSync(join(dir, "registry/registry.jsonl"));
      const started: Started[] = [];
      try {
        started.push(
          ...(await Promise.all([
            npmStart({ BOTKNOBS_DATA: dir }),
            npmStart({ BOTKNOBS_DATA: dir }),
          ])),
        );
        const said = started.map((s) => s.out().match(/^migrated .*$/m)?.[0]).filter(Boolean);
        const want = expected[name] as StoreContents;
        const versions = Object.values(want.bots).reduce((n, b) => n + b.history.length, 0);
        expect(said).toEqual([
          `migrated the file journal into SQLite (botknobs.db): ${want.list.length} bot(s), ${versions} version(s); the old files are kept in ${join(dir, "pre-sqlite")}`,
        ]);
        for (const s of started) {
          expect(s.out()).toContain(
            `found: ${want.list.filter((r) => r.status === "active").length} active bot(s)`,
          );
          expect(s.out()).toContain("registry and events in SQLite (botknobs.db)");
        }
        const alpha = (await (await fetch(`${started[1]?.url}/bots/alpha/versions`)).json()) as {
          items: { version: number }[];
        };
        expect(alpha.items.map((v) => v.version)).toEqual(
          want.bots.alpha?.history.map((r) => r.version),
        );
      } finally {
        for (const s of started) await s.stop();
      }
      const { revision: _, ...read } = await contents(join(dir, "botknobs.db"));
      const { revision: __, ...old } = expected[name] as StoreContents;
      expect(read).toEqual(old);
      expect(readFileSync(join(dir, "pre-sqlite/registry/registry.jsonl")).equals(journal)).toBe(
        true,
      );
      expect(existsSync(join(dir, "registry"))).toBe(false);

      // The next start finds it done: nothing said, nothing moved again.
      const again = await npmStart({ BOTKNOBS_DATA: dir });
      await again.stop();
      expect(again.out()).not.toContain("migrated");
    },
    120_000,
  );

  it("a folder served on files (--store file, journal format 2, event log) is migrated by the next plain start; --store file is then refused, a bad --store is a usage error", async () => {
    const dir = join(data, "served-on-files");
    const files = await npmStart({ BOTKNOBS_DATA: dir }, ["--store", "file"]);
    try {
      expect(files.out()).toContain("registry and events in files");
      for (const model of ["a", "b", "c"])
        expect((await put(files.url, "kept-bot", { model })).status).toBe(200);
    } finally {
      await files.stop();
    }
    expect(existsSync(join(dir, "events"))).toBe(true);
    const sqlite = await npmStart({ BOTKNOBS_DATA: dir });
    try {
      // Said after the first line, which stays the one about auth.
      expect(sqlite.firstLine).toContain("no auth");
      expect(sqlite.out()).toMatch(
        /^migrated the file journal into SQLite \(botknobs\.db\): 2 bot\(s\), 4 version\(s\)/m,
      );
      const page = (await (await fetch(`${sqlite.url}/bots/kept-bot/versions`)).json()) as {
        items: { version: number; config: { model: string } }[];
      };
      expect(page.items.map((v) => [v.version, v.config.model])).toEqual([
        [3, "c"],
        [2, "b"],
        [1, "a"],
      ]);
      const search = (await (
        await fetch(`${sqlite.url}/kb/support/search?q=reset+password`)
      ).json()) as {
        results: { source: string }[];
      };
      expect(search.results[0]?.source).toBe("faq.md");
    } finally {
      await sqlite.stop();
    }
    expect(existsSync(join(dir, "pre-sqlite/events"))).toBe(true);
    const refused = await cli(["serve", "--data", dir, "--store", "file", "--port", "0"]);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringContaining(
        "keeps its registry in SQLite (botknobs.db): on files it would serve an empty registry",
      ),
    ]);
    const bad = await cli(["bots", "ls", "--data", dir, "--store", "postgres"]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('invalid store "postgres"'),
    ]);
    // The other commands open the folder the same way.
    const listed = await cli(["bots", "ls", "--data", dir, "--json"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("kept-bot");
  }, 180_000);

  it("kill -9 of a serve in the middle of writes: the other process and a restart read the old record or the new one, never a torn one, and go on writing", async () => {
    const env = { BOTKNOBS_DATA: join(data, "killed") };
    const other = await npmStart(env);
    let writer = await npmStart(env);
    try {
      let acked = 0;
      for (let round = 0; round < 4; round++) {
        // Writes of ~300 kB each through the writer, one after another; it is killed with the
        // next one in flight, at a moment that moves from round to round.
        for (let i = 0; i < 3; i++) {
          const response = await put(writer.url, "torn", versionConfig(acked + 1, 300_000));
          expect(response.status).toBe(200);
          acked++;
        }
        const inFlight = put(writer.url, "torn", versionConfig(acked + 1, 300_000)).catch(
          () => null,
        );
        await new Promise((r) => setTimeout(r, round * 3));
        await killHard(writer.child);
        const answered = (await inFlight)?.status === 200;
        writer = await npmStart(env);
        for (const reader of [other, writer]) {
          const bot = (await (await fetch(`${reader.url}/bots/torn`)).json()) as {
            version: number;
            config: unknown;
          };
          expect([acked, acked + 1]).toContain(bot.version);
          if (answered) expect(bot.version).toBe(acked + 1);
          expect(isWhole(bot.config, bot.version)).toBe(true);
          const versions = (await (await fetch(`${reader.url}/bots/torn/versions`)).json()) as {
            items: { version: number }[];
          };
          expect(versions.items[0]?.version).toBe(bot.version);
        }
        acked = ((await (await fetch(`${other.url}/bots/torn`)).json()) as { version: number })
          .version;
      }
      // Both go on: a write through the survivor is read through the restarted one.
      expect((await put(other.url, "torn", versionConfig(acked + 1, 1000))).status).toBe(200);
      const last = (await (await fetch(`${writer.url}/bots/torn`)).json()) as { version: number };
      expect(last.version).toBe(acked + 1);
    } finally {
      await other.stop();
      await writer.stop();
    }
  }, 180_000);
});
