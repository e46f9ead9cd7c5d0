// The OpenAI-compatible embedding provider against a small local server speaking that API.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  HttpError,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  OpenAICompatibleEmbeddingProvider,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { embeddingProviderSuite } from "../../src/testing/index.ts";

const DIMS = 36;
// A toy model: letter and digit frequencies, so texts sharing words point the same way.
function embed(text: string): number[] {
  const v = new Array(DIMS).fill(0);
  for (const ch of text.toLowerCase()) {
    const code = ch.charCodeAt(0);
    const i = code >= 97 && code <= 122 ? code - 97 : code >= 48 && code <= 57 ? code - 22 : -1;
    if (i >= 0) v[i] += 1;
  }
  return v;
}

let server: Server;
let baseUrl: string;
const requests: { auth: string | undefined; model: string; inputs: number }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/embeddings") {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== "Bearer sk-test") {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end('{"error":{"message":"bad key"}}');
        return;
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string[] };
      requests.push({ auth: req.headers.authorization, model, inputs: input.length });
      if (model === "slow") return; // never answers: the client must time out
      const data = input.map((text, index) => ({
        object: "embedding",
        index,
        embedding: embed(text),
      }));
      if (model === "short") data.pop();
      data.reverse(); // answers may come in any order; `index` says which is which
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ object: "list", data, model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

embeddingProviderSuite(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "OpenAICompatibleEmbeddingProvider against a local server",
    create: () =>
      new OpenAICompatibleEmbeddingProvider({ baseUrl, model: "toy", apiKey: "sk-test" }),
    capabilities: { maxBatch: 64 },
  },
);

describe("OpenAI-compatible embeddings over HTTP", () => {
  it("embeds in batches, in input order, and learns the dimensions", async () => {
    const provider = new OpenAICompatibleEmbeddingProvider({
      baseUrl,
      model: "toy",
      apiKey: "sk-test",
      batchSize: 2,
    });
    expect(provider.dimensions).toBeNull();
    const vectors = await provider.embed(["aaa", "bbb", "abc"]);
    expect(vectors.map((v) => [v[0], v[1], v[2]])).toEqual([
      [3, 0, 0],
      [0, 3, 0],
      [1, 1, 1],
    ]);
    expect(provider.dimensions).toBe(DIMS);
    expect(requests.slice(-2).map((r) => r.inputs)).toEqual([2, 1]);
  });

  it("errors: a bad key is an HttpError 401, a short answer 502, a silent server times out", async () => {
    const bad = new OpenAICompatibleEmbeddingProvider({ baseUrl, model: "toy", apiKey: "wrong" });
    await expect(bad.embed(["x"])).rejects.toSatisfy(
      (e: unknown) => e instanceof HttpError && e.status === 401,
    );
    const short = new OpenAICompatibleEmbeddingProvider({
      baseUrl,
      model: "short",
      apiKey: "sk-test",
    });
    await expect(short.embed(["x", "y"])).rejects.toSatisfy(
      (e: unknown) => e instanceof HttpError && e.status === 502,
    );
    const slow = new OpenAICompatibleEmbeddingProvider({
      baseUrl,
      model: "slow",
      apiKey: "sk-test",
      timeout: 0.2,
    });
    await expect(slow.embed(["x"])).rejects.toThrow(/abort|timeout/i);
  });

  it("drives a hybrid knowledge base from the seed's configuration keys", async () => {
    const kb = await RAGKnowledgeBase.fromConfig({
      embedding_provider: "openai-compatible",
      embedding_model: "toy",
      embedding_base_url: baseUrl,
      embedding_api_key: "sk-test",
    });
    const source = new InMemoryKnowledgeBackend();
    await source.createKb("zoo");
    await source.putFile("zoo", "a.md", "# Zebras\n\nZebras have stripes.");
    await source.putFile("zoo", "b.md", "# Moose\n\nMoose live in cold forests.");
    const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("zoo");
    expect(result.chunksCreated).toBe(2);
    const [top] = await kb.query("zebra stripes", { k: 2 });
    expect(top?.source).toBe("a.md");
    expect((top?.metadata.scores as { vector: number } | undefined)?.vector).toBeGreaterThan(0);
  });
});
