// The knowledge API on Node over loopback: knowledge bases, streamed uploads with a size limit,
// downloads with ETags and ranges, background ingestion jobs and search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BlobKnowledgeBackend,
  type BlobRange,
  type Event,
  InMemoryBackend,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  type KnowledgeBaseInfoDict,
  type KnowledgeFileDict,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  MemoryRecordStore,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { createApp, createAppOver } from "../../src/server/index.ts";
import { eventually } from "../../src/testing/index.ts";
import { listen, type Served } from "../fixtures/http-serve.ts";

let served: Served;
let knowledge: InMemoryKnowledgeBackend;
const ingestionEvents: Event[] = [];
const TEXT = "0123456789abcdefghijklmnopqrstuvwxyz";

/** The response bodies these tests read, loosely: one type with every field they look at. */
type Body = KnowledgeFileDict &
  KnowledgeBaseInfoDict & {
    error: { code: string };
    items: (KnowledgeFileDict & KnowledgeBaseInfoDict & { job_id: string })[];
    job_id: string;
    status: string;
    progress: { done: number; total: number; chunks?: number };
    result: { status: string; files_processed: number; chunks_created: number };
    k: number;
    results: { source: string; heading_path: string; metadata: Record<string, unknown> }[];
  };

beforeAll(async () => {
  const bus = new InMemoryEventBus();
  await bus.subscribe("knowledge:ingestion", (e) => void ingestionEvents.push(e));
  knowledge = new InMemoryKnowledgeBackend();
  const rag = new RAGKnowledgeBase();
  const ingestion = new KnowledgeIngestionManager({
    source: knowledge,
    destination: rag,
    eventBus: bus,
  });
  served = await listen(
    createApp({
      registry: new InMemoryBackend(),
      ingestion,
      eventBus: bus,
      limits: { maxFileBytes: 64 * 1024 },
    }),
  );
  await fetch(`${served.url}/kb`, {
    method: "POST",
    body: JSON.stringify({ domain_id: "docs", metadata: { team: "support" } }),
  });
  await fetch(`${served.url}/kb/docs/files/plain/alphabet.txt`, { method: "PUT", body: TEXT });
});
afterAll(() => served.close());

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${served.url}${path}`, { headers });

describe("HTTP API - knowledge bases and files", () => {
  it("create (201, Location), read, list; a duplicate is 409; bad ids 400", async () => {
    const res = await fetch(`${served.url}/kb`, {
      method: "POST",
      body: JSON.stringify({ domain_id: "tmp" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/kb/tmp");
    expect(
      (
        await fetch(`${served.url}/kb`, {
          method: "POST",
          body: JSON.stringify({ domain_id: "tmp" }),
        })
      ).status,
    ).toBe(409);
    expect(((await (await get("/kb/docs")).json()) as Body).metadata).toEqual({ team: "support" });
    const list = (await (await get("/kb")).json()) as Body;
    expect(list.items.map((i) => i.domain_id)).toEqual(["docs", "tmp"]);
    expect((await get("/kb/b%C3%A9")).status).toBe(400);
    expect((await fetch(`${served.url}/kb/tmp`, { method: "DELETE" })).status).toBe(204);
    expect((await get("/kb/tmp")).status).toBe(404);
  });

  it("upload - 201 then 200 on replace, ETag is the SHA-256, Content-Type kept", async () => {
    const put = (body: string) =>
      fetch(`${served.url}/kb/docs/files/guide/intro.md`, {
        method: "PUT",
        body,
        headers: { "content-type": "text/markdown" },
      });
    const first = await put("# Intro\n\nHello");
    expect(first.status).toBe(201);
    const file = (await first.json()) as Body;
    expect(file.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(first.headers.get("etag")).toBe(`"${file.checksum}"`);
    expect(file.content_type).toBe("text/markdown");
    expect((await put("# Intro\n\nHello again")).status).toBe(200);
  });

  it("upload over maxFileBytes - 413 while streaming (no Content-Length), nothing stored", async () => {
    const body = new Blob(["y".repeat(64 * 1024 + 1)]).stream();
    const res = await fetch(`${served.url}/kb/docs/files/too-big.txt`, {
      method: "PUT",
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Body).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await knowledge.fileExists("docs", "too-big.txt")).toBe(false);
  });

  it("upload into a missing knowledge base - 404", async () => {
    expect(
      (await fetch(`${served.url}/kb/ghost/files/a.md`, { method: "PUT", body: "x" })).status,
    ).toBe(404);
  });

  it("list with ?prefix= (sorted); a missing knowledge base 404", async () => {
    const all = (await (await get("/kb/docs/files")).json()) as Body;
    expect(all.items.map((f) => f.path)).toEqual(["guide/intro.md", "plain/alphabet.txt"]);
    const some = (await (await get("/kb/docs/files?prefix=guide/")).json()) as Body;
    expect(some.items.map((f) => f.path)).toEqual(["guide/intro.md"]);
    expect((await get("/kb/ghost/files")).status).toBe(404);
  });

  it("download - streamed with ETag; If-None-Match 304; HEAD gives the length only", async () => {
    const res = await get("/kb/docs/files/plain/alphabet.txt");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(TEXT);
    const etag = res.headers.get("etag") as string;
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect((await get("/kb/docs/files/plain/alphabet.txt", { "if-none-match": etag })).status).toBe(
      304,
    );
    const head = await fetch(`${served.url}/kb/docs/files/plain/alphabet.txt`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String(TEXT.length));
    expect((await get("/kb/docs/files/plain/missing.txt")).status).toBe(404);
  });

  it("Range - 206 for first-last, open-ended and suffix ranges; 416 beyond the end", async () => {
    const range = async (value: string) => {
      const res = await get("/kb/docs/files/plain/alphabet.txt", { range: value });
      return {
        status: res.status,
        range: res.headers.get("content-range"),
        body: await res.text(),
      };
    };
    expect(await range("bytes=0-9")).toEqual({
      status: 206,
      range: "bytes 0-9/36",
      body: "0123456789",
    });
    expect(await range("bytes=30-")).toEqual({
      status: 206,
      range: "bytes 30-35/36",
      body: "uvwxyz",
    });
    expect(await range("bytes=-3")).toEqual({ status: 206, range: "bytes 33-35/36", body: "xyz" });
    expect(await range("bytes=10-1000")).toEqual({
      status: 206,
      range: "bytes 10-35/36",
      body: TEXT.slice(10),
    });
    const beyond = await range("bytes=36-");
    expect(beyond.status).toBe(416);
    expect(beyond.range).toBe("bytes */36");
    // Ignored as RFC 9110 allows: other units, several ranges, a stale If-Range.
    expect((await range("items=0-1")).status).toBe(200);
    expect((await range("bytes=0-1,4-5")).status).toBe(200);
    const stale = await get("/kb/docs/files/plain/alphabet.txt", {
      range: "bytes=0-1",
      "if-range": '"old"',
    });
    expect(stale.status).toBe(200);
  });

  it("a chunked download range spans chunk boundaries correctly", async () => {
    const big = Array.from({ length: 50_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(
      "",
    );
    await fetch(`${served.url}/kb/docs/files/plain/big.txt`, { method: "PUT", body: big });
    const res = await get("/kb/docs/files/plain/big.txt", { range: "bytes=40000-45000" });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe(big.slice(40_000, 45_001));
    await fetch(`${served.url}/kb/docs/files/plain/big.txt`, { method: "DELETE" });
  });

  it("a range is asked of storage as such: nothing before it is read", async () => {
    const store = new MemoryBlobStore();
    const asked: (BlobRange | undefined)[] = [];
    const get = store.get.bind(store);
    store.get = (key, options) => {
      // The file's bytes live in an immutable upload object under .botknobs/<generation>/blobs/.
      if (key.includes("/blobs/")) asked.push(options?.range);
      return get(key, options);
    };
    const kb = new BlobKnowledgeBackend({ store });
    await kb.createKb("r");
    await kb.putFile("r", "ranged.txt", TEXT);
    const app = createApp({ registry: new InMemoryBackend(), knowledge: kb });
    const res = await app.request("/kb/r/files/ranged.txt", { headers: { range: "bytes=30-" } });
    expect([res.status, await res.text()]).toEqual([206, "uvwxyz"]);
    expect(asked).toEqual([{ offset: 30, length: 6 }]);
  });

  it("a file and a folder of the same name: 409, the same on every backend", async () => {
    const put = (path: string): Promise<Response> =>
      fetch(`${served.url}/kb/docs/files/${path}`, { method: "PUT", body: "x" });
    expect((await put("nest")).status).toBe(201);
    const under = await put("nest/inner.md");
    expect([under.status, ((await under.json()) as Body).error.code]).toEqual([409, "CONFLICT"]);
    expect((await put("tree/leaf.md")).status).toBe(201);
    expect((await put("tree")).status).toBe(409);
    for (const p of ["nest", "tree/leaf.md"])
      await fetch(`${served.url}/kb/docs/files/${p}`, { method: "DELETE" });
  });

  it("delete - 204 then 404", async () => {
    await fetch(`${served.url}/kb/docs/files/tmp.txt`, { method: "PUT", body: "x" });
    expect((await fetch(`${served.url}/kb/docs/files/tmp.txt`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await fetch(`${served.url}/kb/docs/files/tmp.txt`, { method: "DELETE" })).status).toBe(
      404,
    );
  });
});

describe("HTTP API - ingestion jobs and search", () => {
  it("POST ingest - 202 with a job; the job completes; search finds the content", async () => {
    await fetch(`${served.url}/kb/docs/files/faq.md`, {
      method: "PUT",
      body: "# FAQ\n\n## How do I reset my password?\n\nGo to settings and choose Reset password.\n",
    });
    const start = await fetch(`${served.url}/kb/docs/ingest`, { method: "POST" });
    expect(start.status).toBe(202);
    const job = (await start.json()) as Body;
    expect(start.headers.get("location")).toBe(`/kb/docs/ingest/${job.job_id}`);
    let status = {} as Body;
    await eventually(async () => {
      status = await (await get(`/kb/docs/ingest/${job.job_id}`)).json();
      return status.status !== "running";
    });
    expect(status.status).toBe("completed");
    expect(status.result.status).toBe("ready");
    expect(status.result.files_processed).toBeGreaterThanOrEqual(3);
    expect(status.progress.done).toBe(status.progress.total);
    // The chunks made, counted as the run goes (what a progress bar shows): all of them at the end.
    expect(status.progress.chunks).toBeGreaterThan(0);
    expect(status.progress.chunks).toBe(status.result.chunks_created);
    expect(ingestionEvents.some((e) => e.payload.domain_id === "docs")).toBe(true);
    const search = (await (await get("/kb/docs/search?q=reset%20password&k=2")).json()) as Body;
    expect(search.k).toBe(2);
    expect(search.results[0]?.source).toBe("faq.md");
    expect(search.results[0]?.heading_path).toContain("reset my password");
    expect(search.results[0]?.metadata.domain_id).toBe("docs");
    const jobs = (await (await get("/kb/docs/ingest")).json()) as Body;
    expect(jobs.items[0]?.job_id).toBe(job.job_id);
  });

  it("POST ingest while another process's run holds the lease - the job waits (waiting), then runs", async () => {
    await fetch(`${served.url}/kb`, {
      method: "POST",
      body: JSON.stringify({ domain_id: "leased" }),
    });
    await fetch(`${served.url}/kb/leased/files/a.md`, { method: "PUT", body: "# A\n\nherons\n" });
    // Another process's run: the lease under its own token.
    const info = await knowledge.getInfo("leased");
    const other = { generation: info?.generation as string, owner: "other-process" };
    await knowledge.setIngestionStatus("leased", "ingesting", null, other);
    const start = await fetch(`${served.url}/kb/leased/ingest`, { method: "POST" });
    expect(start.status).toBe(202);
    const job = (await start.json()) as Body & { waiting: { until: string } | null };
    let status = job;
    await eventually(async () => {
      status = await (await get(`/kb/leased/ingest/${job.job_id}`)).json();
      return status.waiting !== null;
    });
    expect([status.status, status.progress, typeof status.waiting?.until]).toEqual([
      "running",
      { done: 0, total: 0, chunks: 0 },
      "string",
    ]);
    // The other run ends: this one takes the lease and runs.
    await knowledge.setIngestionStatus("leased", "ready", null, other);
    await eventually(async () => {
      status = await (await get(`/kb/leased/ingest/${job.job_id}`)).json();
      return status.status !== "running";
    }, 10_000);
    expect([status.status, status.waiting, status.result.files_processed]).toEqual([
      "completed",
      null,
      1,
    ]);
  });

  it("ingest options are validated; a missing knowledge base or job is 404", async () => {
    const bad = await fetch(`${served.url}/kb/docs/ingest`, {
      method: "POST",
      body: JSON.stringify({ clear_existing: "yes" }),
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${served.url}/kb/ghost/ingest`, { method: "POST" })).status).toBe(404);
    expect((await get("/kb/docs/ingest/not-a-job")).status).toBe(404);
  });

  it("search input is validated: q required, k 1–100", async () => {
    expect((await get("/kb/docs/search")).status).toBe(400);
    expect((await get("/kb/docs/search?q=x&k=0")).status).toBe(400);
    expect((await get("/kb/docs/search?q=x&k=101")).status).toBe(400);
    expect((await get("/kb/docs/search?q=x&k=abc")).status).toBe(400);
    expect((await get("/kb/ghost/search?q=x")).status).toBe(404);
  });

  it("without a knowledge backend or event bus the routes answer 501", async () => {
    const bare = createApp({ registry: new InMemoryBackend() });
    const kb = await bare.request("/kb");
    expect(kb.status).toBe(501);
    expect(((await kb.json()) as Body).error.code).toBe("UNSUPPORTED");
    expect((await bare.request("/events")).status).toBe(501);
  });
});

describe("one upload, one look at the knowledge base's head before the body", () => {
  it("PUT /kb/{d}/files/{p}: 201 then 200; the head is read once before the body, once to commit, once to check the copies", async () => {
    const store = new MemoryBlobStore();
    const headReads: string[] = [];
    // Counts reads of the head object (`<domain>/_metadata.json`): its metadata or its body.
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if ((prop === "head" || prop === "get") && typeof value === "function")
          return (key: string, ...rest: unknown[]) => {
            if (key.endsWith("/_metadata.json")) headReads.push(`${String(prop)} ${key}`);
            return value.call(target, key, ...rest);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { app } = createAppOver({ records: new MemoryRecordStore(), blobs: counted });
    expect((await app.request("/kb", { method: "POST", body: '{"domain_id":"d"}' })).status).toBe(
      201,
    );
    headReads.length = 0;
    const first = await app.request("/kb/d/files/a.md", { method: "PUT", body: "# A\n\none" });
    expect(first.status).toBe(201);
    // One head() before the upload (the knowledge base exists; its list), one for the commit's
    // compare-and-set, one after copying to <domain>/<path> (another writer may have moved on).
    // The route itself reads nothing: putFile says whether it created the file.
    expect(headReads.filter((r) => r.startsWith("head "))).toHaveLength(3);
    headReads.length = 0;
    const second = await app.request("/kb/d/files/a.md", { method: "PUT", body: "# A\n\ntwo" });
    expect(second.status).toBe(200);
    expect(headReads.filter((r) => r.startsWith("head "))).toHaveLength(3);
    const same = await app.request("/kb/d/files/a.md", { method: "PUT", body: "# A\n\ntwo" });
    expect(same.status).toBe(200);
    const missing = await app.request("/kb/ghost/files/a.md", { method: "PUT", body: "x" });
    expect(missing.status).toBe(404);
  });
});
