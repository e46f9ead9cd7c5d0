// `botknobs kb …` spawned as a process: ls and status (tables, --json), rm (asks for --yes; what
// does not exist exits 3), on a data folder and on a server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../fixtures/cli.ts";
import { seededFolder } from "../fixtures/cli-data.ts";
import { npmStart } from "../fixtures/npm-start.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-kb-"));
const data = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => seededFolder(data));

const kb = (...args: string[]) => cli(["kb", ...args, "--data", data]);

describe("botknobs kb", () => {
  it("ls: each knowledge base with its files, size, status and version; --json: the API's summaries", async () => {
    const [table, bare, json] = await Promise.all([
      kb("ls"),
      cli(["kb", "--data", data]),
      kb("ls", "--json"),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^KB +FILES +SIZE +STATUS +VERSION +UPDATED\nsupport +2 +\d+ B +ready +\d+ +\d{4}-/,
    );
    expect(bare.stdout).toBe(table.stdout);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { domain_id: "support", file_count: 2, ingestion_status: "ready" },
    ]);
  }, 60_000);

  it("status: the knowledge base and, on a server, its last ingestion jobs", async () => {
    const server = await npmStart({ BOTKNOBS_DATA: data });
    try {
      const job = await fetch(`${server.url}/kb/support/ingest`, { method: "POST" });
      expect(job.status).toBe(202);
      const { job_id } = (await job.json()) as { job_id: string };
      for (let i = 0; i < 200; i++) {
        const s = (await (await fetch(`${server.url}/kb/support/ingest/${job_id}`)).json()) as {
          status: string;
        };
        if (s.status !== "running") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [people, json] = await Promise.all([
        cli(["kb", "status", "support", "--server", server.url]),
        cli(["kb", "status", "support", "--server", server.url, "--json"]),
      ]);
      expect(people.stdout).toMatch(
        /^knowledge base +support\nfiles +2 \(\d+ B\)\nstatus +ready\n/,
      );
      expect(people.stdout).toContain(`job            ${job_id} completed 2/2 files`);
      const parsed = JSON.parse(json.stdout) as {
        kb: { domain_id: string };
        jobs: { job_id: string }[];
      };
      expect([parsed.kb.domain_id, parsed.jobs.map((j) => j.job_id)]).toEqual([
        "support",
        [job_id],
      ]);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("rm asks for --yes, then deletes; a knowledge base that does not exist exits 3", async () => {
    const [unconfirmed, missing] = await Promise.all([kb("rm", "support"), kb("status", "nope")]);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([
      2,
      expect.stringContaining("add --yes to confirm"),
    ]);
    expect([missing.code, missing.stderr]).toEqual([
      3,
      expect.stringContaining("no knowledge base 'nope'"),
    ]);
    expect((await kb("ls", "--json")).stdout).toContain('"support"');
    const removed = await kb("rm", "support", "--yes");
    expect([removed.code, removed.stdout]).toEqual([
      0,
      expect.stringContaining("deleted knowledge base 'support'"),
    ]);
    const [after, again] = await Promise.all([kb("ls", "--json"), kb("rm", "support", "--yes")]);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect([again.code, again.stderr]).toEqual([3, expect.stringContaining("does not exist")]);
  }, 120_000);
});
