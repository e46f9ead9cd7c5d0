/**
 * The Worker `bench/r2-cold-search.bench.ts` runs under Miniflare: knowledge and its search index
 * on the R2 binding `KNOWLEDGE`. `POST /load` puts a JSON array of files in one commit,
 * `POST /ingest` ingests the knowledge base, `GET /search?q=` answers (lexical, k = 10).
 */
import { R2BlobStore } from "../src/adapters/cloudflare/index.ts";
import type { R2BucketLike } from "../src/adapters/r2/types.ts";
import {
  BlobKnowledgeBackend,
  BlobSearchIndex,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../src/index.ts";

const DOMAIN = "scifact";

interface Stack {
  knowledge: BlobKnowledgeBackend;
  rag: RAGKnowledgeBase;
}
let stack: Stack | undefined;

function open(bucket: R2BucketLike): Stack {
  const store = new R2BlobStore({ bucket });
  const knowledge = new BlobKnowledgeBackend({ store });
  return {
    knowledge,
    rag: new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }), knowledge }),
  };
}

const worker: { fetch(request: Request, env: { KNOWLEDGE: R2BucketLike }): Promise<Response> } = {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok"); // the isolate is up, nothing read
    stack ??= open(env.KNOWLEDGE);
    const { knowledge, rag } = stack;
    if (url.pathname === "/load") {
      if (!(await knowledge.getInfo(DOMAIN))) await knowledge.createKb(DOMAIN);
      const files = (await request.json()) as { path: string; content: string }[];
      await knowledge.putFiles(DOMAIN, files);
      return Response.json({ loaded: files.length });
    }
    if (url.pathname === "/ingest") {
      const result = await new KnowledgeIngestionManager({
        source: knowledge,
        destination: rag,
      }).ingest(DOMAIN);
      return Response.json({ chunks: result.chunksCreated, files: result.filesProcessed });
    }
    const q = url.searchParams.get("q") ?? "";
    const hits = await rag.search(q, { k: 10, filter: { domain_id: DOMAIN } });
    return Response.json(hits.map((h) => h.source));
  },
};

export default worker;
