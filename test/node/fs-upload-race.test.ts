// Two uploads of one path racing, from two apps over one data folder (two `npm start` processes
// sharing it): the status says what the commit did — exactly one 201 for a path that did not
// exist, 200 for every replace (issue 22, item 8). `created` comes from the file list the
// compare-and-set replaced, not from a look taken before the upload.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileApp, type FileApp } from "../../src/adapters/fs/fs-app.ts";

let dir = "";
let a: FileApp;
let b: FileApp;

/** A 2 MB body streamed in pieces, so both uploads are in flight at once. */
const body = (fill: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(100_000).fill(fill));
      controller.close();
    },
  });
const put = (app: FileApp, path: string, fill: number) =>
  app.app.request(`/kb/race/files/${path}`, {
    method: "PUT",
    body: body(fill),
    duplex: "half",
  } as RequestInit);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "botknobs-upload-race-"));
  a = createFileApp({ path: dir });
  b = createFileApp({ path: dir });
  const created = await a.app.request("/kb", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ domain_id: "race" }),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("two uploads of one path racing across two processes' apps", () => {
  it("a new path: one 201 and one 200; an existing one: two 200s", async () => {
    const seen: string[] = [];
    for (let round = 0; round < 12; round++) {
      const exists = round % 2 === 0;
      const path = `r${round}.md`;
      if (exists) expect((await put(a, path, 1)).status).toBe(201);
      const statuses = (await Promise.all([put(a, path, 2), put(b, path, 3)])).map((r) => r.status);
      seen.push(`${exists ? "replace" : "create"} ${statuses.sort().join(",")}`);
    }
    for (const line of seen) expect(line).toMatch(/^(replace 200,200|create 200,201)$/);
  });
});
