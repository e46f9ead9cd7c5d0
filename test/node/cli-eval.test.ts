// `botknobs eval` spawned as a process: nDCG@10 and Recall@100 of a small BEIR folder whose
// answers are worked out by hand below, the folder's mistakes named, and SciFact in the range
// published for BM25.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../fixtures/cli.ts";
import { DATA_DIR, hasData, NO_DATA } from "../fixtures/data.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join("\n");
const beir = join(dir, "tiny");
mkdirSync(join(beir, "qrels"), { recursive: true });
writeFileSync(
  join(beir, "corpus.jsonl.gz"),
  gzipSync(
    jsonl([
      { _id: "d1", title: "Otters", text: "Sea otters hold hands while they sleep." },
      { _id: "d2", title: "Walruses", text: "Walruses haul out on the ice." },
      { _id: "d3", title: "Penguins", text: "Penguins huddle together in winter." },
      { _id: "d4", title: "Kangaroos", text: "Kangaroos box with their tails." },
    ]),
  ),
);
writeFileSync(
  join(beir, "queries.jsonl"),
  jsonl([
    { _id: "q1", text: "otters hold hands" },
    { _id: "q2", text: "walruses ice" },
    { _id: "q3", text: "penguins winter" },
    { _id: "q4", text: "an unjudged query" },
  ]),
);
// q3: d3 (grade 1) is found first, d4 (grade 2) shares no word with it and is never found.
writeFileSync(
  join(beir, "qrels", "test.tsv"),
  "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\nq3\td4\t2\n",
);
// nDCG@10 of q3: (1 / log2 2) / (2 / log2 2 + 1 / log2 3); q1 and q2: 1. Recall@100: 1, 1, 1/2.
const q3 = 1 / (2 + 1 / Math.log2(3));
const NDCG = (1 + 1 + q3) / 3;
const RECALL = (1 + 1 + 0.5) / 3;

describe("botknobs eval", () => {
  it("prints nDCG@10 and Recall@100 of the judged queries, as worked out by hand", async () => {
    const { code, stdout } = await cli(["eval", beir]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe(`${beir}: 4 documents, 3 judged test queries`);
    expect(lines[1]).toMatch(
      /^upload [\d.]+ s; ingest 4 files → \d+ chunks in [\d.]+ s \([\d.]+ MB\/s\)$/,
    );
    expect(lines[2]).toBe(`nDCG@10     ${NDCG.toFixed(4)}`);
    expect(lines[3]).toBe(`Recall@100  ${RECALL.toFixed(4)}`);
    expect(lines[4]).toMatch(/^query {7}p50 [\d.]+ ms, p95 [\d.]+ ms/);
  }, 60_000);

  it("--json and --max-queries", async () => {
    const run = await cli(["eval", beir, "--max-queries", "1", "--json"]);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      documents: 4,
      queries: 1,
      split: "test",
      files: 4,
      ndcg10: 1,
      recall100: 1,
    });
    expect(report.ingestErrors).toEqual([]);
  }, 60_000);

  it("a folder that is not BEIR, or a split without judgements: exit 2, naming what is missing", async () => {
    const [notBeir, noSplit] = await Promise.all([
      cli(["eval", dir]),
      cli(["eval", beir, "--split", "train"]),
    ]);
    expect([notBeir.code, notBeir.stderr]).toEqual([
      2,
      expect.stringContaining("no corpus.jsonl or corpus.jsonl.gz"),
    ]);
    expect([noSplit.code, noSplit.stderr]).toEqual([
      2,
      expect.stringContaining("no qrels/train.tsv"),
    ]);
  }, 60_000);

  it.skipIf(!hasData())(
    "SciFact (train): BM25's published range, over every judged query",
    async () => {
      const run = await cli(["eval", join(DATA_DIR, "scifact"), "--split", "train", "--json"]);
      const report = JSON.parse(run.stdout) as {
        documents: number;
        queries: number;
        ndcg10: number;
        recall100: number;
      };
      expect([report.documents, report.queries]).toEqual([5183, 809]);
      // BEIR's BM25 on the test split: 0.665; title and text in one field: 0.679.
      expect(report.ndcg10).toBeGreaterThan(0.65);
      expect(report.recall100).toBeGreaterThan(0.9);
    },
    600_000,
  );
});

if (!hasData()) console.log(NO_DATA);
