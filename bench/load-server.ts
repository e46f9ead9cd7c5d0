/**
 * The server of `bench/load.bench.ts`, run in its own process so that its RSS is measured alone:
 * the in-memory API (registry, knowledge, ingestion, events over SSE and WebSocket) on
 * `serveApp`. Prints `PORT <n>` once listening; on SIGUSR2, collects garbage (when run with
 * `--expose-gc`) and prints `HEAP <bytes used>`; stops on SIGTERM.
 */
import { serveApp, upgradeWebSocket } from "../src/adapters/node/index.ts";
import { createInMemoryApp } from "../src/server/index.ts";

const { app, registry } = createInMemoryApp({ upgradeWebSocket });
for (let i = 0; i < 100; i++)
  await registry.register(`bot-${i}`, { llm: { provider: "anthropic", model: `m-${i}` } });
const served = await serveApp(app, { port: 0 });
console.log(`PORT ${served.port}`);
process.on("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`HEAP ${process.memoryUsage().heapUsed}`);
});
process.on("SIGTERM", () => {
  void served.close().then(() => process.exit(0));
  // Whatever a client still holds open, the process ends.
  setTimeout(() => process.exit(0), 2000).unref();
});
