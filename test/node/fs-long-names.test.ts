// Names a file system cannot hold (issue 22, item 8): a file name is at most 255 bytes (NAME_MAX).
// A 256-character domain id is valid by the id rule but cannot be a folder name, and a 300-byte
// path segment cannot be the name of the file's copy at `<domain>/<path>`: the API over the data
// folder (what `npm start` serves) refuses both with a 400 naming the limit, instead of a 502 or
// a copy silently missing, and stores everything up to the limit, lock files included.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileApp, type FileApp } from "../../src/adapters/fs/fs-app.ts";

let dir = "";
let served: FileApp;

const call = (method: string, path: string, body?: string) =>
  served.app.request(path, {
    method,
    ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
  });
const createKb = (domain: string) => call("POST", "/kb", JSON.stringify({ domain_id: domain }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "botknobs-long-names-"));
  served = createFileApp({ path: dir });
});

afterAll(async () => {
  await served.knowledge.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the file store and names longer than a file name", () => {
  it("a 256-character domain id: 400 naming the 255-byte limit, not 502", async () => {
    const res = await createKb("d".repeat(256));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.message).toContain("255 bytes");
    // Reading it is the same answer, not a server error.
    expect((await call("GET", `/kb/${"d".repeat(256)}`)).status).toBe(400);
  });

  it("a 255-character domain id works, and so does a 255-byte file name in it (put, replace, delete)", async () => {
    const domain = "e".repeat(255);
    expect((await createKb(domain)).status).toBe(201);
    const name = `${"f".repeat(252)}.md`;
    const first = await served.app.request(`/kb/${domain}/files/${name}`, {
      method: "PUT",
      body: "# one",
    });
    expect(first.status).toBe(201);
    // A replace takes the key's lock file: its name must fit too.
    const second = await served.app.request(`/kb/${domain}/files/${name}`, {
      method: "PUT",
      body: "# two",
    });
    expect(second.status).toBe(200);
    expect(await readFile(join(dir, "knowledge", domain, name), "utf8")).toBe("# two");
    expect((await call("DELETE", `/kb/${domain}/files/${name}`)).status).toBe(204);
  });

  it("a 300-byte path segment: 400 naming the limit and the copy, nothing stored", async () => {
    expect((await createKb("long-paths")).status).toBe(201);
    const segment = "s".repeat(300);
    const res = await served.app.request(`/kb/long-paths/files/docs/${segment}.md`, {
      method: "PUT",
      body: "# too long",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("255 bytes");
    expect(body.error.message).toContain("long-paths/docs/");
    const list = (await (await call("GET", "/kb/long-paths/files")).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });
});
