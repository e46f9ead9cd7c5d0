// `botknobs search` spawned as a process: a table for people, the API's answer with --json, -k,
// the same answer from a data folder and from a server on it, and the exit codes of bad input.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../fixtures/cli.ts";
import { seededFolder } from "../fixtures/cli-data.ts";
import { npmStart } from "../fixtures/npm-start.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-search-"));
const data = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() =>
  seededFolder(data, {
    "otters.md": "# Otters\n\n## Sleep\n\nSea otters hold hands while they sleep.",
  }),
);

interface Answer {
  query: string;
  k: number;
  results: { source: string; heading_path: string; text: string; similarity: number }[];
}

describe("botknobs search", () => {
  it("prints the best chunks as a table: rank, score, file, heading, text", async () => {
    const { code, stdout, stderr } = await cli([
      "search",
      "support",
      "otters sleep",
      "--data",
      data,
    ]);
    expect(code).toBe(0);
    const [header, first] = stdout.split("\n");
    expect(header).toMatch(/^# +SCORE +FILE +HEADING +TEXT$/);
    expect(first).toMatch(
      /^1 +\d\.\d{3} +otters\.md +Otters > Sleep +Sea otters hold hands while they sleep\.$/,
    );
    expect(stderr).toMatch(/\d result\(s\) from 'support'/);
  }, 60_000);

  it("--json is the API's answer; -k bounds it; a server on the folder answers the same", async () => {
    const server = await npmStart({ BOTKNOBS_DATA: data });
    try {
      const [local, remote, one] = await Promise.all([
        cli(["search", "support", "reset password", "--json", "--data", data]),
        cli(["search", "support", "reset password", "--json", "--server", server.url]),
        cli(["search", "support", "reset password", "-k", "1", "--json", "--data", data]),
      ]);
      const answer = JSON.parse(local.stdout) as Answer;
      expect(answer.query).toBe("reset password");
      expect(answer.k).toBe(5);
      expect(answer.results[0]).toMatchObject({
        source: "faq.md",
        heading_path: "FAQ > How do I reset my password?",
      });
      expect(JSON.parse(remote.stdout)).toEqual(answer);
      expect((JSON.parse(one.stdout) as Answer).results.map((r) => r.source)).toEqual(["faq.md"]);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("a knowledge base that does not exist exits 3; -k out of range exits 2", async () => {
    const [missing, zero] = await Promise.all([
      cli(["search", "nope", "anything", "--data", data]),
      cli(["search", "support", "q", "-k", "0", "--data", data]),
    ]);
    expect([missing.code, missing.stderr]).toEqual([
      3,
      expect.stringContaining("Knowledge base 'nope' does not exist"),
    ]);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringContaining('invalid -k "0"')]);
  }, 60_000);
});
