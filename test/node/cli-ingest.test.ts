// `botknobs ingest` spawned as a process: a folder made the content of a knowledge base, only
// changed files uploaded (by checksum), deletions followed unless --keep, plain progress lines
// when not on a terminal and a progress bar on one (the docs corpus), a server as the target,
// --watch, and the exit codes of bad input.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cliTty, hasScript, spawnCli } from "../fixtures/cli.ts";
import { DATA_DIR, docsCorpusDir, docsManifest, hasData, NO_DATA } from "../fixtures/data.ts";
import { npmStart } from "../fixtures/npm-start.ts";

const dir = mkdtempSync(join(tmpdir(), "botknobs-cli-ingest-"));
// The corpus case leaves a 100,000-chunk index behind: removing it takes a while.
afterAll(() => rm(dir, { recursive: true, force: true }), 300_000);

function folder(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

interface Result {
  uploaded: number;
  unchanged: number;
  deleted: number;
  files: number;
  job: { result: { chunks_created: number } } | null;
}

const SUMMARY = /(\d+) uploaded, (\d+) unchanged, (\d+) deleted/;
const counts = (stdout: string): number[] => (SUMMARY.exec(stdout) ?? []).slice(1).map(Number);

describe("botknobs ingest, on a data folder", () => {
  const docs = folder("docs", {
    "install.md": "# Installing\n\nRun the installer, then restart the shell.",
    "guide/otters.md": "# Otters\n\nSea otters hold hands while they sleep.",
    "notes.txt": "Penguins huddle in winter.",
    ".hidden.md": "# Hidden\n\nNever uploaded.",
    ".git/config": "[core]",
  });
  const data = join(dir, "data");
  const ingest = (...args: string[]) =>
    cli(["ingest", docs, "--kb", "docs", "--data", data, ...args]);
  const search = async (query: string): Promise<string[]> => {
    const run = await cli(["search", "docs", query, "--json", "--data", data]);
    return (JSON.parse(run.stdout) as { results: { source: string }[] }).results.map(
      (r) => r.source,
    );
  };

  it("uploads the folder (hidden files left out), ingests it with plain progress lines, and finds a page", async () => {
    const run = await ingest();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ingested 'docs' in [\d.]+ s — 3 files \(\d+ B\): 3 uploaded, 0 unchanged, 0 deleted; 3 files chunked into \d+ chunks\n$/,
    );
    // Not a terminal: plain lines, no redrawing.
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).toMatch(/^check: 3\/3 files, \d+ B\/\d+ B, .* \(100%\)$/m);
    expect(run.stderr).toMatch(/^upload: 3\/3 files, \d+ B\/\d+ B, .* \(100%\)$/m);
    expect(run.stderr).toMatch(/^ingest: 3\/3 files, [1-9]\d* chunks, .* \(100%\)$/m);
    expect((await search("otters sleep"))[0]).toBe("guide/otters.md");
    const files = await cli(["kb", "status", "docs", "--json", "--data", data]);
    expect(JSON.parse(files.stdout).kb.file_count).toBe(3);
  }, 120_000);

  it("again: nothing uploaded, nothing ingested; --force ingests anyway", async () => {
    const again = await ingest();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("'docs' is up to date");
    expect(counts(again.stdout)).toEqual([0, 3, 0]);
    expect(again.stderr).not.toMatch(/^(upload|ingest):/m);
    const forced = JSON.parse((await ingest("--force", "--json")).stdout) as Result;
    expect([forced.uploaded, forced.job?.result.chunks_created]).toEqual([0, expect.any(Number)]);
    expect(forced.job?.result.chunks_created).toBeGreaterThan(0);
  }, 120_000);

  it("uploads only what changed, deletes what the folder lost (not with --keep)", async () => {
    writeFileSync(join(docs, "install.md"), "# Installing\n\nRun the setup wizard twice.");
    writeFileSync(join(docs, "guide/walruses.md"), "# Walruses\n\nWalruses haul out on ice floes.");
    unlinkSync(join(docs, "guide/otters.md"));
    const run = JSON.parse((await ingest("--json")).stdout) as Result;
    expect([run.uploaded, run.unchanged, run.deleted, run.files]).toEqual([2, 1, 1, 3]);
    expect(await search("walruses ice")).toContain("guide/walruses.md");
    expect(await search("otters sleep")).not.toContain("guide/otters.md");
    expect((await search("setup wizard"))[0]).toBe("install.md");

    unlinkSync(join(docs, "notes.txt"));
    const kept = await ingest("--keep");
    expect(counts(kept.stdout)).toEqual([0, 2, 0]);
    const status = await cli(["kb", "status", "docs", "--json", "--data", data]);
    expect(JSON.parse(status.stdout).kb.file_count).toBe(3);
  }, 180_000);

  it("a name a knowledge base cannot hold is skipped and named, the rest goes on, exit 1; bad arguments exit 2", async () => {
    const bad = folder("bad", { "_metadata.json": "{}", "fine.md": "# Fine\n\nAll good here." });
    const [run, noKb, noDir, badKb] = await Promise.all([
      cli(["ingest", bad, "--kb", "bad", "--data", join(dir, "bad-data")]),
      cli(["ingest", bad, "--data", join(dir, "bad-data")]),
      cli(["ingest", join(dir, "absent"), "--kb", "x", "--data", join(dir, "bad-data")]),
      cli(["ingest", bad, "--kb", "no spaces", "--data", join(dir, "bad-data")]),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'skipped "_metadata.json": Invalid file path "_metadata.json": _metadata.json is reserved',
    );
    expect(run.stderr).toContain("1 file(s) were not uploaded: rename them");
    expect(counts(run.stdout)).toEqual([1, 0, 0]);
    expect([noKb.code, noKb.stderr]).toEqual([
      2,
      expect.stringContaining("give the knowledge base: --kb NAME"),
    ]);
    expect([noDir.code, noDir.stderr]).toEqual([2, expect.stringContaining("no folder at")]);
    expect([badKb.code, badKb.stderr]).toEqual([2, expect.stringContaining("invalid --kb")]);
  }, 120_000);
});

describe("botknobs ingest of a large file", () => {
  it("streams a file over 8 MB up whole, on a data folder and on a server", async () => {
    const big = folder("big", {});
    mkdirSync(big, { recursive: true });
    // 9 MB of a type ingestion skips: the upload is what is tested.
    const bytes = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    writeFileSync(join(big, "blob.bin"), bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const server = await npmStart({ BOTKNOBS_DATA: join(dir, "big-served") });
    try {
      for (const target of [
        ["--data", join(dir, "big-data")],
        ["--server", server.url],
      ]) {
        const run = await cli(["ingest", big, "--kb", "big", ...target, "--json"]);
        expect([target[0], run.code]).toEqual([target[0], 0]);
        expect((JSON.parse(run.stdout) as Result).uploaded).toBe(1);
        const again = JSON.parse(
          (await cli(["ingest", big, "--kb", "big", ...target, "--json"])).stdout,
        ) as Result;
        expect([target[0], again.uploaded, again.unchanged]).toEqual([target[0], 0, 1]);
      }
      const file = await fetch(`${server.url}/kb/big/files/blob.bin`);
      expect(
        createHash("sha256")
          .update(new Uint8Array(await file.arrayBuffer()))
          .digest("hex"),
      ).toBe(sha256);
    } finally {
      await server.stop();
    }
  }, 180_000);
});

describe("botknobs ingest, on a server", () => {
  it("uploads and ingests through the API with a read-write token; the server then finds the page", async () => {
    const docs = folder("remote", { "a/intro.md": "# Intro\n\nKangaroos box with their tails." });
    const server = await npmStart({ BOTKNOBS_DATA: join(dir, "served"), BOTKNOBS_TOKENS: "rw" });
    try {
      const [refused, run] = await Promise.all([
        cli(["ingest", docs, "--kb", "remote", "--server", server.url]),
        cli(["ingest", docs, "--kb", "remote", "--server", server.url], {
          env: { BOTKNOBS_TOKEN: "rw" },
        }),
      ]);
      expect([refused.code, refused.stderr]).toEqual([
        1,
        expect.stringContaining("set BOTKNOBS_TOKEN"),
      ]);
      expect(run.code).toBe(0);
      expect(counts(run.stdout)).toEqual([1, 0, 0]);
      expect(run.stderr).toMatch(/^ingest: 1\/1 files, [1-9]\d* chunks/m);
      const hits = (await (
        await fetch(`${server.url}/kb/remote/search?q=kangaroos`, {
          headers: { authorization: "Bearer rw" },
        })
      ).json()) as { results: { source: string }[] };
      expect(hits.results[0]?.source).toBe("a/intro.md");
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe("botknobs ingest --watch", () => {
  it("ingests again when the folder changes, until stopped", async () => {
    const docs = folder("watched", { "one.md": "# One\n\nThe first page." });
    const data = join(dir, "watch-data");
    const child = spawnCli(["ingest", docs, "--kb", "watched", "--data", data, "--watch"]);
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const until = async (check: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 1200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!check()) throw new Error(`no ${what}: ${out}${err}`);
    };
    try {
      await until(() => err.includes("watching"), "watching line");
      expect(counts(out)).toEqual([1, 0, 0]);
      writeFileSync(join(docs, "two.md"), "# Two\n\nNarwhals have one long tusk.");
      await until(() => (out.match(/uploaded/g) ?? []).length >= 2, "second pass");
      expect(counts(out.split("\n")[1] ?? "")).toEqual([1, 1, 0]);
      const found = await cli(["search", "watched", "narwhals tusk", "--json", "--data", data]);
      expect(JSON.parse(found.stdout).results[0].source).toBe("two.md");
    } finally {
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 180_000);
});

describe.skipIf(!hasData() || !hasScript())(
  "botknobs ingest of the docs corpus, on a terminal",
  () => {
    it("draws a progress bar (files, MB, chunks, rate, ETA), then finds a page by its title", async () => {
      const data = join(dir, "corpus-data");
      const run = await cliTty(["ingest", docsCorpusDir(), "--kb", "docs", "--data", data]);
      expect(run.code).toBe(0);
      const screen = run.stdout;
      // Redrawn in place: carriage return, clear line, the bar.
      const bars = screen.split("\r\x1b[2K").slice(1);
      const upload = bars.filter((b) => b.startsWith("upload "));
      const ingest = bars.filter((b) => b.startsWith("ingest "));
      expect(upload.length).toBeGreaterThan(1);
      expect(ingest.length).toBeGreaterThan(1);
      expect(
        upload.some((b) =>
          /█.* \d+% {2}[\d,]+\/[\d,]+ files · [\d.]+\/[\d.]+ MB · [\d.]+ [KM]?B\/s · ETA \d/.test(
            b,
          ),
        ),
      ).toBe(true);
      expect(
        ingest.some((b) =>
          /[\d,]+\/[\d,]+ files · [\d,]+ chunks · [\d,]+ files\/s · ETA \d/.test(b),
        ),
      ).toBe(true);
      // Hidden files (.markdownlint.yaml, .openpublishing.*) are left out.
      const visible = docsManifest().filter(
        (e) => !e.path.split("/").some((s) => s.startsWith(".")),
      );
      expect(screen).toContain(`ingested 'docs' in`);
      expect(screen).toContain(`${visible.length.toLocaleString("en-US")} files`);
      const found = await cli([
        "search",
        "docs",
        "about_Execution_Policies",
        "-k",
        "3",
        "--json",
        "--data",
        data,
      ]);
      const sources = (JSON.parse(found.stdout) as { results: { source: string }[] }).results.map(
        (r) => r.source,
      );
      expect(sources[0]).toMatch(/\/about_Execution_Policies\.md$/);
    }, 900_000);
  },
);

if (!hasData()) console.log(NO_DATA);
else if (!hasScript())
  console.log(`skipped: the terminal case needs \`script\` (util-linux); data at ${DATA_DIR}`);
