/**
 * `npm start`: the botknobs API on 127.0.0.1:8787 (Node), embedded — no server to install.
 * It keeps the registry (every version of every bot), the knowledge files and their search index
 * under `./data` (`BOTKNOBS_DATA` moves it), so a restart finds everything as it was; on a fresh
 * data folder it seeds a demo bot and a small knowledge base so the README's `curl` examples
 * answer at once. `npm start -- --memory` keeps everything in memory instead (gone on exit).
 *
 * Environment: PORT (8787), BOTKNOBS_HOST (127.0.0.1), BOTKNOBS_DATA (./data), BOTKNOBS_TOKENS
 * (comma-separated read-write bearer tokens), BOTKNOBS_READ_TOKENS (read-only tokens). Without
 * tokens the API is open, so it refuses to listen anywhere but loopback.
 */
import { createFileApp, serveApp, upgradeWebSocket } from "../src/adapters/node/index.ts";
import { createInMemoryApp, type ServedApp } from "../src/server/index.ts";
import { seedDemo } from "../worker/seed.ts";

const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
const tokens = list(process.env.BOTKNOBS_TOKENS);
const readOnlyTokens = list(process.env.BOTKNOBS_READ_TOKENS);
const hostname = process.env.BOTKNOBS_HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 8787);
const memory = process.argv.includes("--memory");
const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(hostname);
const auth = tokens.length + readOnlyTokens.length > 0;
if (!auth && !loopback) {
  console.error(
    `refusing to serve without tokens on ${hostname}: set BOTKNOBS_TOKENS, or use 127.0.0.1`,
  );
  process.exit(1);
}

const options = { upgradeWebSocket, ...(auth ? { auth: { tokens, readOnlyTokens } } : {}) };
let services: ServedApp;
let kept: string;
if (memory) {
  services = createInMemoryApp(options);
  kept = "in memory (--memory): nothing is kept when it stops";
} else {
  const fileApp = createFileApp({ ...options, path: process.env.BOTKNOBS_DATA ?? "./data" });
  const swept = await fileApp.sweep();
  const cleaned = swept.files + swept.objects;
  kept = `data kept in ${fileApp.path}${cleaned ? ` (cleaned up ${cleaned} leftovers of an earlier crash)` : ""}`;
  services = fileApp;
}
const { app, registry, knowledge } = services;

// Demo data on a fresh data folder: one bot, one knowledge base with two files, ingested.
const fresh = await seedDemo(services);

const served = await serveApp(app, { hostname, port });
console.log(
  auth
    ? `botknobs API on ${served.url} — bearer tokens required (${tokens.length} read-write, ${readOnlyTokens.length} read-only)`
    : `botknobs API on ${served.url} — no auth (loopback only; set BOTKNOBS_TOKENS to require tokens)`,
);
console.log(kept);
console.log(
  fresh
    ? "seeded: bot 'support-bot', knowledge base 'support' (faq.md, plans.json), ingested"
    : `found: ${await registry.count()} active bot(s), ${(await knowledge.listKbs()).length} knowledge base(s)`,
);
console.log(
  `try: curl ${served.url}/bots/support-bot   ·   curl '${served.url}/kb/support/search?q=reset+password'`,
);
console.log(
  `events: curl -N ${served.url}/events (Server-Sent Events), or a WebSocket to ${served.url.replace(/^http/, "ws")}/events`,
);

const stop = async (): Promise<void> => {
  await served.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
