/**
 * Bad input for the engine-backed search indexes (issue 17): a table name that would be SQL is
 * refused before anything runs; a query written in the engine's own syntax — FTS5's quotes,
 * `*`, `NEAR`, `-`, `:` and parentheses, PostgreSQL's `&`, `|`, `!`, `<->`, `:*` — never throws
 * a syntax error and still finds by its words. Shared by SQLite, PostgreSQL and D1.
 */
import type { SearchIndex } from "../../src/knowledge.ts";
import type { TestHarness } from "../../src/testing/index.ts";

/** Table names that are not names: each must be a ValidationError naming `table`. */
export const hostileTables: readonly string[] = [
  'x"; DROP TABLE y; --',
  "bot configs",
  "it's",
  "a".repeat(200),
  "",
  "1abc",
];

/** Queries in engine syntax, and what each must find among the case's two files. */
export const hostileQueries: readonly [string, string[]][] = [
  ['"', []],
  ['""', []],
  ["'", []],
  ["*", []],
  ["NEAR", []],
  ["-", []],
  [":", []],
  ["(", []],
  [")", []],
  ["AND OR NOT", []],
  ['"koalas', ["a.md"]],
  ['koalas"', ["a.md"]],
  ["koalas*", ["a.md"]],
  ["-koalas", ["a.md"]],
  ["koalas -sleep", ["a.md"]],
  ["NEAR(koalas sleep)", ["a.md"]],
  ["koalas NEAR/2 sleep", ["a.md"]],
  ["heading_path:koalas", ["a.md"]],
  ["text: koalas", ["a.md"]],
  ["{text}: koalas", ["a.md"]],
  ["^koalas", ["a.md"]],
  ["koalas AND", ["a.md"]],
  ["OR koalas", ["a.md"]],
  ["NOT koalas", ["a.md"]],
  ["koalas & !wombats", ["a.md", "b.md"]],
  ["koalas | wombats", ["a.md", "b.md"]],
  ["koalas <-> sleep", ["a.md"]],
  ["koala:*", ["a.md"]],
  ["wombats:AB", ["b.md"]],
  ["'wombats'", ["b.md"]],
  ["wombats\\", ["b.md"]],
  ["wombats; DROP TABLE x; --", ["b.md"]],
  ["🐨 koalas ❤", ["a.md"]],
  [`${"x".repeat(3000)} wombats`, ["b.md"]],
];

/** What the cases need of an index. */
export interface SearchInputOptions {
  /** A fresh index with that table prefix (its constructor checks it). */
  create(table?: string): SearchIndex | Promise<SearchIndex>;
  tables: readonly string[];
  queries: readonly [string, string[]][];
  /** Drops what an index left (PostgreSQL's tables); default: remove its scopes and close it. */
  destroy?(index: SearchIndex): Promise<void>;
}

export function searchInputCases(h: TestHarness, name: string, o: SearchInputOptions): void {
  h.describe(name, () => {
    h.it(
      "a table name with quotes, spaces, a leading digit or 200 characters is a ValidationError naming table",
      async () => {
        for (const table of o.tables) {
          let error: unknown;
          try {
            await o.create(table);
          } catch (e) {
            error = e;
          }
          h.expect([table.slice(0, 40), (error as Error)?.name]).toEqual([
            table.slice(0, 40),
            "ValidationError",
          ]);
          h.expect((error as Error).message).toContain("table");
        }
      },
    );

    h.it(
      "a query in the engine's syntax never throws and finds by its words; a keyword is a table name",
      async () => {
        const index = await o.create("order");
        await index.initialize();
        const scope = { domainId: "zoo", generation: "g1" };
        try {
          const stage = await index.stage(scope);
          for (const [path, text] of [
            ["a.md", "Koalas sleep a lot."],
            ["b.md", "Wombats dig burrows."],
          ] as const)
            await stage.put(path, { checksum: path, fingerprint: "f" }, [
              {
                chunkId: `zoo\u001f${path}\u001f0`,
                source: path,
                chunkIndex: 0,
                text,
                headingPath: "",
                headings: [],
                lineNumber: 1,
                metadata: {},
              },
            ]);
          await stage.commit();
          const found: [string, string[]][] = [];
          for (const [query] of o.queries) {
            const hits = await index.query([scope], { text: query, k: 5 });
            found.push([query.slice(0, 40), hits.map((hit) => hit.chunk.source).sort()]);
          }
          h.expect(found).toEqual(o.queries.map(([q, paths]) => [q.slice(0, 40), paths]));
        } finally {
          if (o.destroy) await o.destroy(index);
          else {
            await index.remove(scope);
            await index.close();
          }
        }
      },
    );
  });
}
