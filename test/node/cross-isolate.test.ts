// Hot reload across isolates: two Workers under Miniflare (each its own isolate) — the real API
// Worker (worker/index.ts, which hosts the EventHub) and a consumer Worker
// (test/fixtures/consumer-worker.ts) that caches bots read from the API through a service
// binding, with the hub bound by scriptName. A PUT handled by the API isolate invalidates the
// consumer's cached bot; nothing links the two but the Durable Object.
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../src/testing/index.ts";
import { bundleWorkers } from "./cf-bundle.ts";
import { DEV_VARS, durableObjects, migrate, STORAGE } from "./cf-worker-options.ts";

let mf: Miniflare;
let api: (path: string, init?: RequestInit) => Promise<Response>;
let consumer: (path: string) => Promise<Response>;

beforeAll(async () => {
  const bundles = await bundleWorkers({
    api: "worker/index.ts",
    consumer: "test/fixtures/consumer-worker.ts",
  });
  const common = { modules: true, compatibilityDate: "2026-04-01" };
  mf = new Miniflare({
    workers: [
      {
        ...common,
        name: "api",
        scriptPath: bundles.api as string,
        modulesRoot: dirname(bundles.api as string),
        durableObjects: durableObjects(),
        ...STORAGE,
        ...DEV_VARS,
      },
      {
        ...common,
        name: "consumer",
        scriptPath: bundles.consumer as string,
        modulesRoot: dirname(bundles.consumer as string),
        serviceBindings: { API: "api" },
        durableObjects: { EVENTS: { className: "EventHub", scriptName: "api", useSQLite: true } },
      },
    ],
  });
  await mf.ready;
  await migrate(mf, "api");
  const apiWorker = await mf.getWorker("api");
  const consumerWorker = await mf.getWorker("consumer");
  api = (path, init) =>
    apiWorker.fetch(`http://api.test${path}`, init as never) as unknown as Promise<Response>;
  consumer = (path) =>
    consumerWorker.fetch(`http://consumer.test${path}`) as unknown as Promise<Response>;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

const put = async (id: string, model: string): Promise<void> => {
  const res = await api(`/bots/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ config: { llm: { model } } }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
};
const read = async (id: string): Promise<{ model: string; created: number }> => {
  const res = await consumer(`/bots/${id}`);
  const body = (await res.json()) as { config: { llm: { model: string } }; created: number };
  return { model: body.config.llm.model, created: body.created };
};

describe("hot reload across isolates through the EventHub (Miniflare, two Workers)", () => {
  it("a PUT in the API isolate invalidates the consumer isolate's cached bot", async () => {
    await put("x-bot", "v1");
    const first = await read("x-bot");
    expect(first.model).toBe("v1");
    // Cached: reading again builds nothing.
    expect((await read("x-bot")).created).toBe(first.created);
    await put("x-bot", "v2");
    await eventually(async () => (await read("x-bot")).model === "v2", 5000);
    expect((await read("x-bot")).created).toBe(first.created + 1);
    // And again, later requests of the consumer still hear the hub.
    await put("x-bot", "v3");
    await eventually(async () => (await read("x-bot")).model === "v3", 5000);
  });
});
