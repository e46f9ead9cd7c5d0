// Inside Chromium: BrowserSync mirrors a real botknobs server on Node (test/browser/sync-server.ts:
// registry, knowledge, a bearer token) into IndexedDB — first and incremental passes, offline
// while the server is stopped, a file transfer cut off and resumed, never a torn file — and the
// browser's WebSocket authenticated by the botknobs.token.<t> subprotocol.
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  BrowserSync,
  type BrowserSyncOptions,
  deleteBrowserDatabase,
  type FileProgress,
  IndexedDBBlobStore,
  IndexedDBRecordStore,
  type SyncState,
} from "../../src/adapters/browser/index.ts";
import {
  BlobKnowledgeBackend,
  type Event,
  StoreRegistryBackend,
  WebSocketEventBus,
} from "../../src/index.ts";
import { eventually } from "../../src/testing/index.ts";

const baseUrl = inject("syncUrl");
const control = inject("syncControlUrl");
const token = inject("syncToken");
const auth = { authorization: `Bearer ${token}` };
const decoder = new TextDecoder();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

/** Calls the sync server with the token. */
async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${baseUrl}/${path}`, {
    ...init,
    headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
  });
  if (response.status >= 400)
    throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}
const putBot = (id: string, model: string) =>
  api(`bots/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ config: { llm: { model } } }),
  });
const putFile = (domain: string, path: string, body: string | Uint8Array) =>
  api(`kb/${domain}/files/${path}`, { method: "PUT", body: body as BodyInit });
const serverRevision = async (): Promise<string> =>
  ((await (await api("bots?limit=1")).json()) as { revision: string }).revision;

/** A fresh local copy (its own database) and a sync over it. */
function local(options: Partial<BrowserSyncOptions> = {}, dbName = `sync-${crypto.randomUUID()}`) {
  const records = new IndexedDBRecordStore({ dbName });
  const blobs = new IndexedDBBlobStore({ dbName });
  const knowledge = new BlobKnowledgeBackend({ store: blobs });
  const ingested: string[] = [];
  const sync = new BrowserSync({
    baseUrl,
    authToken: token,
    dbName,
    registry: records,
    knowledge,
    ingest: async (domainId) => void ingested.push(domainId),
    ...options,
  });
  cleanups.push(async () => {
    await sync.close();
    await records.close();
    await knowledge.close();
    await blobs.close();
    await deleteBrowserDatabase(dbName);
  });
  return {
    dbName,
    records,
    knowledge,
    sync,
    ingested,
    registry: new StoreRegistryBackend({ store: records }),
  };
}

const uid = () => crypto.randomUUID().slice(0, 8);

async function newKb(): Promise<string> {
  const domain = `kb-${uid()}`;
  await api("kb", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ domain_id: domain }),
  });
  return domain;
}

describe("BrowserSync (Chromium ↔ botknobs/server on Node)", () => {
  it("first sync: the registry at the server's revision and every file, then state online", async () => {
    const bot = `bot-${uid()}`;
    await putBot(bot, "m-1");
    const domain = await newKb();
    await putFile(domain, "guide.md", "# Guide\n\nHello.");
    await putFile(domain, "data/facts.json", '{"a":1}');
    const { sync, registry, knowledge, ingested } = local({ domains: [domain] });
    const states: SyncState["status"][] = [];
    sync.onState((s) => states.push(s.status));

    const report = await sync.sync();
    expect(report.reached).toBe(true);
    expect(report.registry?.written).toContain(bot);
    expect(report.files[0]?.fetched.sort()).toEqual(["data/facts.json", "guide.md"]);
    expect(ingested).toEqual([domain]);
    expect(states).toEqual(["syncing", "online"]);
    expect(sync.state).toMatchObject({
      status: "online",
      lastSyncedRevision: await serverRevision(),
    });
    expect((await registry.get(bot))?.config).toEqual({ llm: { model: "m-1" } });
    expect(decoder.decode((await knowledge.getFile(domain, "guide.md")) as Uint8Array)).toBe(
      "# Guide\n\nHello.",
    );
  });

  it("incremental: only the bot and the file that changed are fetched; unchanged → a 304, nothing written", async () => {
    const [a, b] = [`bot-${uid()}`, `bot-${uid()}`];
    await putBot(a, "m-1");
    await putBot(b, "m-1");
    const domain = await newKb();
    await putFile(domain, "one.md", "one");
    await putFile(domain, "two.md", "two");
    const { sync, registry, knowledge, ingested } = local({ domains: [domain] });
    await sync.sync();

    await putBot(a, "m-2");
    await putFile(domain, "two.md", "two, changed");
    const second = await sync.sync();
    expect(second.registry).toMatchObject({ unchanged: false, written: [a], deleted: [] });
    expect(second.files[0]).toMatchObject({ fetched: ["two.md"], deleted: [] });
    expect((await registry.get(a))?.config).toEqual({ llm: { model: "m-2" } });
    expect((await registry.get(a))?.version).toBe(2);
    expect(decoder.decode((await knowledge.getFile(domain, "two.md")) as Uint8Array)).toBe(
      "two, changed",
    );

    await api(`bots/${b}`, { method: "DELETE" });
    await api(`kb/${domain}/files/one.md`, { method: "DELETE" });
    const third = await sync.sync();
    expect(third.registry).toMatchObject({ written: [], deleted: [b] });
    expect(third.files[0]).toMatchObject({ fetched: [], deleted: ["one.md"] });
    expect(await registry.get(b)).toBeNull();

    const fourth = await sync.sync();
    expect(fourth.registry).toMatchObject({ unchanged: true, written: [], deleted: [] });
    expect(fourth.files[0]).toMatchObject({ fetched: [], deleted: [] });
    expect(ingested).toEqual([domain, domain, domain]); // not after the unchanged pass
  });

  it("server down: state offline, the local copy still answers; back up: online again", async () => {
    const bot = `bot-${uid()}`;
    await putBot(bot, "m-offline");
    const domain = await newKb();
    await putFile(domain, "kept.md", "kept offline");
    const { sync, registry, knowledge } = local({ domains: [domain] });
    await sync.sync();
    const revision = sync.state.lastSyncedRevision;

    await fetch(`${control}/stop`, { method: "POST" });
    try {
      const report = await sync.sync();
      expect(report.reached).toBe(false);
      expect(sync.state).toMatchObject({ status: "offline", lastSyncedRevision: revision });
      expect(sync.state.error).toMatch(/unreachable/);
      expect((await registry.get(bot))?.config).toEqual({ llm: { model: "m-offline" } });
      expect(decoder.decode((await knowledge.getFile(domain, "kept.md")) as Uint8Array)).toBe(
        "kept offline",
      );
    } finally {
      await fetch(`${control}/start`, { method: "POST" });
    }
    expect((await sync.sync()).reached).toBe(true);
    expect(sync.state.status).toBe("online");
    expect(sync.state.error).toBeUndefined();
  });

  it("a file transfer cut off mid-file resumes from its last block on the next visit; never a torn file", async () => {
    const domain = await newKb();
    const content = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);
    await putFile(domain, "big.bin", content);
    const dbName = `sync-${crypto.randomUUID()}`;
    const stop = new AbortController();
    const firstVisit = local(
      {
        domains: [domain],
        blockBytes: 1024,
        onProgress: (p) => {
          if (p.received >= 3072) stop.abort(new Error("tab closed"));
        },
      },
      dbName,
    );
    await expect(firstVisit.sync.sync({ signal: stop.signal })).rejects.toThrow("tab closed");
    expect(await firstVisit.knowledge.getFile(domain, "big.bin")).toBeNull();
    await firstVisit.sync.close();

    const progress: FileProgress[] = [];
    const next = new BrowserSync({
      baseUrl,
      authToken: token,
      dbName,
      knowledge: firstVisit.knowledge,
      domains: [domain],
      blockBytes: 1024,
      onProgress: (p) => void progress.push(p),
    });
    cleanups.push(() => next.close());
    const report = await next.sync();
    expect(report.files[0]?.fetched).toEqual(["big.bin"]);
    expect(progress[0]?.received).toBe(4096); // blocks 0–2 were kept: the fourth came first
    expect(progress.at(-1)).toMatchObject({ received: 10_000, size: 10_000 });
    expect(await firstVisit.knowledge.getFile(domain, "big.bin")).toEqual(content);
  });

  it("a file changed on the server between the cut and the resume arrives whole and new, not spliced", async () => {
    const domain = await newKb();
    const before = new Uint8Array(5000).fill(1);
    const after = new Uint8Array(6000).fill(2);
    await putFile(domain, "moving.bin", before);
    const stop = new AbortController();
    const { sync, knowledge } = local({
      domains: [domain],
      blockBytes: 1000,
      onProgress: (p) => {
        if (p.received >= 2000) stop.abort(new Error("cut"));
      },
    });
    await expect(sync.sync({ signal: stop.signal })).rejects.toThrow("cut");
    await putFile(domain, "moving.bin", after);
    const report = await sync.sync();
    expect(report.files[0]?.fetched).toEqual(["moving.bin"]);
    expect(await knowledge.getFile(domain, "moving.bin")).toEqual(after);
  });

  it("a wrong token: the pass fails with the server's 401, and the state says so", async () => {
    const { sync } = local({ authToken: "not-the-token" });
    await expect(sync.sync()).rejects.toThrow(/401/);
    expect(sync.state.status).toBe("offline");
    expect(sync.state.error).toMatch(/401/);
  });
});

describe("the browser's WebSocket with a token (the botknobs.token.<t> subprotocol)", () => {
  it("a WebSocketEventBus with authToken hears events from a server that needs a token", async () => {
    const bus = new WebSocketEventBus({ baseUrl, authToken: token, topics: ["registry:*"] });
    cleanups.push(() => bus.close());
    const got: Event[] = [];
    const bot = `ws-${uid()}`;
    await bus.subscribe("registry:*", (e) => void got.push(e), { pattern: "registry:*" });
    await putBot(bot, "m-ws");
    await eventually(() => got.some((e) => e.payload.bot_id === bot));
  });

  it("the page's own WebSocket: a good token opens, a wrong one is refused", async () => {
    const url = `${baseUrl.replace("http", "ws")}/events`;
    const open = (protocols: string[]) =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(url, protocols);
        socket.onopen = () => {
          resolve(socket.protocol);
          socket.close();
        };
        socket.onerror = () => reject(new Error("refused"));
      });
    expect(await open(["botknobs.events", `botknobs.token.${token}`])).toBe("botknobs.events");
    expect(await open([`botknobs.token.${token}`])).toBe(`botknobs.token.${token}`);
    await expect(open(["botknobs.events", "botknobs.token.wrong"])).rejects.toThrow("refused");
  });
});
