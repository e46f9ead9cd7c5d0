/**
 * `npm start`: the botknobs API on 127.0.0.1:8787 (Node), embedded — no server to install.
 * It keeps the registry (the last 100 versions of each bot, by default), the knowledge files and
 * their search index under `./data` (`BOTKNOBS_DATA` moves it), so a restart finds everything as
 * it was; on a fresh data folder it seeds a demo bot and a small knowledge base so the README's
 * `curl` examples answer at once. `npm start -- --memory` keeps everything in memory instead
 * (gone on exit).
 *
 * It answers as soon as it listens: the sweep of what a crashed run left behind (temporary files,
 * dead locks, unreferenced uploads and index segments, copies out of step) walks every object, so
 * it runs in the background afterwards and logs a line when done. Nothing it removes is ever
 * served, so serving meanwhile is safe (as it is while another process on the folder starts).
 * Several processes may serve one data folder: each one's event-stream clients hear every write
 * made through any of them (`FileEventBus` under `<data>/events`).
 *
 * Environment: PORT (8787), BOTKNOBS_HOST (127.0.0.1), BOTKNOBS_DATA (./data), BOTKNOBS_TOKENS
 * (comma-separated read-write bearer tokens), BOTKNOBS_READ_TOKENS (read-only tokens),
 * BOTKNOBS_HISTORY_LIMIT (versions kept per bot: 100; `0` or `none` keeps every version; the
 * flag `--history-limit N` wins over it). Without tokens the API is open, so it refuses to listen
 * anywhere but loopback.
 */
import {
  createFileApp,
  type FileApp,
  serveApp,
  upgradeWebSocket,
} from "../src/adapters/node/index.ts";
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

/** `--history-limit N` (or `=N`), else BOTKNOBS_HISTORY_LIMIT, else 100; `0`/`none`: every version. */
function historyLimit(): number | undefined {
  const at = process.argv.findIndex(
    (a) => a === "--history-limit" || a.startsWith("--history-limit="),
  );
  const arg = process.argv[at];
  const given =
    at === -1
      ? process.env.BOTKNOBS_HISTORY_LIMIT || undefined
      : arg?.includes("=")
        ? arg.slice(arg.indexOf("=") + 1)
        : (process.argv[at + 1] ?? "");
  const text = (given ?? "100").trim();
  if (text === "none" || text === "0") return undefined;
  if (!/^[1-9]\d{0,8}$/.test(text)) {
    console.error(
      `invalid history limit ${JSON.stringify(given ?? "")} (--history-limit or BOTKNOBS_HISTORY_LIMIT): a whole number of versions to keep per bot, or 0 / none to keep every version`,
    );
    process.exit(1);
  }
  return Number(text);
}
const limit = historyLimit();
const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(hostname);
const auth = tokens.length + readOnlyTokens.length > 0;
if (!auth && !loopback) {
  console.error(
    `refusing to serve without tokens on ${hostname}: set BOTKNOBS_TOKENS, or use 127.0.0.1`,
  );
  process.exit(1);
}

const options = { upgradeWebSocket, ...(auth ? { auth: { tokens, readOnlyTokens } } : {}) };
const history =
  limit === undefined ? "every version of each bot" : `the last ${limit} version(s) of each bot`;
let services: ServedApp;
let kept: string;
let fileApp: FileApp | undefined;
if (memory) {
  services = createInMemoryApp({ ...options, historyLimit: limit });
  kept = `in memory (--memory): nothing is kept when it stops; history: ${history}`;
} else {
  fileApp = createFileApp({
    ...options,
    historyLimit: limit,
    path: process.env.BOTKNOBS_DATA ?? "./data",
  });
  kept = `data kept in ${fileApp.path}; history: ${history}`;
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

// The sweep after listening: requests are answered meanwhile (restart time does not grow with
// the number of files); what it removes is never served.
if (fileApp) {
  const { path } = fileApp;
  const began = performance.now();
  fileApp.sweep().then(
    ({ files, objects }) => {
      const seconds = ((performance.now() - began) / 1000).toFixed(1);
      const cleaned = files + objects;
      console.log(
        `swept ${path} in ${seconds} s: ${cleaned ? `cleaned up ${cleaned} leftovers of an earlier crash` : "nothing left behind"}`,
      );
    },
    (error: unknown) =>
      console.error(
        `sweeping ${path} failed (serving goes on; the next start sweeps again): ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}

const stop = async (): Promise<void> => {
  await served.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
