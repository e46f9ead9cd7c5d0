// HttpBlobStore: the read-only blob store over plain HTTP, against a node:http static file server
// that honours Range and one that ignores it. The BlobStore conformance suite runs in its
// read-only mode (objects written into the served folder by an FsBlobStore, the listing manifest
// written after each change as `botknobs export` writes it); a knowledge base exported with
// `botknobs export` is searched from the static files alone and answers as the data folder does.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FsBlobStore } from "../../src/adapters/fs/index.ts";
import { HttpBlobStore } from "../../src/core/blob/http-blob-store.ts";
import { listAll } from "../../src/core/blob/list.ts";
import type { BlobStore } from "../../src/core/blob/types.ts";
import { ReadOnlyError, UnsupportedError } from "../../src/core/errors.ts";
import { BlobSearchIndex } from "../../src/core/knowledge/index/blob-search-index.ts";
import { conformance } from "../../src/testing/conformance.ts";
import { expectRejects } from "../../src/testing/harness.ts";
import { cli } from "../fixtures/cli.ts";
import { seededFolder } from "../fixtures/cli-data.ts";
import { type StaticServer, staticServer } from "../fixtures/static-server.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const dir = mkdtempSync(join(tmpdir(), "botknobs-http-blob-"));
const servers: Record<"ranges" | "noRanges", StaticServer> = {} as never;
beforeAll(async () => {
  servers.ranges = await staticServer(dir, { ranges: true });
  servers.noRanges = await staticServer(dir, { ranges: false });
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** An FsBlobStore over a served folder that rewrites `botknobs-export.json` after each change. */
function exportingWriter(root: string): BlobStore {
  const fs = new FsBlobStore({ root });
  const manifest = async (): Promise<void> => {
    const files = [];
    for (const o of await listAll(fs, "")) {
      if (o.key === "botknobs-export.json") continue;
      const bytes = readFileSync(join(root, ...o.key.split("/")));
      files.push({
        key: o.key,
        bytes: o.size,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      });
    }
    const body = {
      format: "botknobs.export",
      format_version: 1,
      exported_at: new Date().toISOString(),
      files,
    };
    writeFileSync(join(root, "botknobs-export.json"), JSON.stringify(body));
  };
  return {
    name: "fs (exporting)",
    capabilities: fs.capabilities,
    initialize: () => fs.initialize(),
    close: () => fs.close(),
    head: (key) => fs.head(key),
    get: (key, options) => fs.get(key, options),
    list: (options) => fs.list(options),
    put: async (key, body, options) => {
      const meta = await fs.put(key, body, options);
      await manifest();
      return meta;
    },
    delete: async (keys) => {
      await fs.delete(keys);
      await manifest();
    },
  };
}

for (const [mode, title] of [
  ["ranges", "Range honoured"],
  ["noRanges", "Range ignored"],
] as const) {
  const writers = new WeakMap<BlobStore, BlobStore>();
  let n = 0;
  conformance(h, {
    name: `HttpBlobStore (${title})`,
    blobStore: {
      create: () => {
        const folder = `${mode}-${++n}`;
        mkdirSync(join(dir, folder), { recursive: true });
        const store = new HttpBlobStore({ baseUrl: `${servers[mode].url}/${folder}/` });
        writers.set(store, exportingWriter(join(dir, folder)));
        return store;
      },
      writer: (store) => writers.get(store) as BlobStore,
      capabilities: {
        conditionalPut: false,
        paginatedList: true,
        contentTypes: false,
        readOnly: true,
        list: true,
      },
    },
  });
}

describe("HttpBlobStore", () => {
  const data = join(dir, "data");
  const out = join(dir, "site");
  beforeAll(async () => {
    await seededFolder(data, {
      "otters.md": "# Otters\n\nSea otters hold hands while they sleep.",
    });
    const run = await cli(["export", "support", out, "--data", data]);
    expect(run.code).toBe(0);
  }, 120_000);

  const exported = (): { domain_id: string; generation: string; files: { key: string }[] } =>
    JSON.parse(readFileSync(join(out, "botknobs-export.json"), "utf8"));

  for (const mode of ["ranges", "noRanges"] as const)
    it(`a knowledge base exported with botknobs export is searchable from the static files (${mode === "ranges" ? "Range honoured" : "Range ignored"}): the same hits as the folder itself`, async () => {
      const { domain_id, generation, files } = exported();
      const scope = [{ domainId: domain_id, generation }];
      const overHttp = new BlobSearchIndex({
        store: new HttpBlobStore({ baseUrl: `${servers[mode].url}/site` }),
      });
      const overFolder = new BlobSearchIndex({ store: new FsBlobStore({ root: out }) });
      for (const text of ["otters sleep", "reset password"]) {
        const hits = await overHttp.query(scope, { text, k: 5 });
        const want = await overFolder.query(scope, { text, k: 5 });
        expect(hits.length).toBeGreaterThan(0);
        expect(hits.map((x) => [x.chunk.source, x.chunk.text, x.scores])).toEqual(
          want.map((x) => [x.chunk.source, x.chunk.text, x.scores]),
        );
      }
      expect((await overHttp.query(scope, { text: "otters sleep", k: 1 }))[0]?.chunk.source).toBe(
        "otters.md",
      );
      // The listing is the manifest's: the index's files, and the scope found through it.
      const listed = await listAll(overHttp.store as BlobStore, "");
      expect(listed.map((o) => o.key)).toEqual(files.map((f) => f.key).sort());
      expect(await overHttp.scopes()).toEqual(scope);
    });

  it("writes are a ReadOnlyError naming the store; without a manifest list is an UnsupportedError saying what to serve", async () => {
    const store = new HttpBlobStore({ baseUrl: `${servers.ranges.url}/data/` });
    await expectRejects(
      h,
      store.put("x.txt", new Uint8Array(1)),
      ReadOnlyError,
      servers.ranges.url,
    );
    expect(store.capabilities.list).toBe(true);
    await expectRejects(h, store.list(), UnsupportedError, "botknobs-export.json");
    const unlisted = new HttpBlobStore({ baseUrl: `${servers.ranges.url}/site/`, manifest: null });
    expect(unlisted.capabilities.list).toBe(false);
    await expectRejects(h, unlisted.list(), UnsupportedError, "manifest: null");
  });

  it("a ranged read from a server that ignores Range gives the range's bytes, and the whole object's size", async () => {
    mkdirSync(join(dir, "r"), { recursive: true });
    writeFileSync(join(dir, "r", "digits.txt"), "0123456789");
    for (const mode of ["ranges", "noRanges"] as const) {
      const store = new HttpBlobStore({ baseUrl: `${servers[mode].url}/r` });
      const part = await store.get("digits.txt", { range: { offset: 3, length: 4 } });
      expect([part?.size, await new Response(part?.body).text()]).toEqual([10, "3456"]);
      const head = await store.head("digits.txt");
      expect([head?.size, head?.etag]).toEqual([10, part?.etag]);
      expect(await store.get("missing.txt")).toBeNull();
    }
  });
});
