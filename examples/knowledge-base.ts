/**
 * The seed's second complete example, "Knowledge Base with Hot Reload", in TypeScript: files on
 * disk, ingested into a searchable knowledge base, with an event when ingestion completes.
 *
 * Run it: `npx tsx examples/knowledge-base.ts`, `deno run -A examples/knowledge-base.ts` or
 * `bun examples/knowledge-base.ts`. In your own project, import from "botknobs" and "botknobs/node".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKnowledgeBackend } from "../src/adapters/fs/index.ts";
import {
  createEventBus,
  type Event,
  EventType,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../src/index.ts";

/** Runs the example in `path` (default: a new temporary directory); returns what it printed. */
export async function main(
  options: { path?: string; log?: (line: string) => void } = {},
): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };
  const path = options.path ?? (await mkdtemp(join(tmpdir(), "botknobs-kb-")));

  // Setup
  const eventBus = createEventBus({ backend: "memory" });
  await eventBus.connect();

  const kbBackend = createKnowledgeBackend("file", { path });
  await kbBackend.initialize();

  const ragKb = await RAGKnowledgeBase.fromConfig({
    vector_store: { backend: "memory", dimensions: 384 },
    embedding_provider: "echo",
  });

  // Create ingestion manager
  const ingestion = new KnowledgeIngestionManager({
    source: kbBackend,
    destination: ragKb,
    eventBus,
  });

  // Subscribe to ingestion events
  await eventBus.subscribe("knowledge:ingestion", (event: Event) => {
    if (event.type === EventType.UPDATED)
      say(`Ingestion complete: ${JSON.stringify(event.payload)}`);
  });

  // Create knowledge base and upload files
  await kbBackend.createKb("support", { metadata: { description: "Support docs" } });
  await kbBackend.putFile(
    "support",
    "faq.md",
    new TextEncoder().encode("# FAQ\n\n## How do I reset my password?\n\nGo to settings..."),
    { contentType: "text/markdown" },
  );

  // Ingest
  const result = await ingestion.ingest("support");
  say(`Ingested ${result.filesProcessed} files, ${result.chunksCreated} chunks`);

  // Query
  const results = await ragKb.search("reset password", { k: 3 });
  for (const r of results) say(`- ${r.content.slice(0, 100)}... (${r.source}: ${r.headingPath})`);

  // Cleanup
  await eventBus.close();
  await kbBackend.close();
  if (options.path === undefined) await rm(path, { recursive: true, force: true });
  return lines;
}

const meta = import.meta as ImportMeta & { main?: boolean };
const argv1 = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
if (meta.main ?? (argv1 !== undefined && meta.url === `file://${argv1}`)) await main();
