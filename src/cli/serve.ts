/**
 * `botknobs serve`: the botknobs API on 127.0.0.1:8787, embedded — no server to install (what
 * `npm start` runs). It keeps the registry (the last 100 versions of each bot, by default), the
 * knowledge files and their search index under `./data` (`--data`, `BOTKNOBS_DATA`), so a
 * restart finds everything as it was; on a fresh folder it seeds a demo bot and a small knowledge
 * base so the README's `curl` examples answer at once. `--memory` keeps everything in memory.
 *
 * The registry (with its history), the event log through which processes sharing the folder
 * hear each other and the knowledge store's lock are kept in SQLite (`<data>/botknobs.db`) when
 * the runtime has a driver (Bun, Deno; on Node the optional peer `better-sqlite3`), else in files
 * (one line says why); `--store file` keeps them in files anyway. A folder written on files is
 * migrated on its first start on SQLite (one line says so; the old files are kept aside).
 *
 * It answers as soon as it listens: the sweep of what a crashed run left behind walks every
 * object, so it runs in the background afterwards and logs a line when done (nothing it removes
 * is ever served). Several processes may serve one data folder: each one's event-stream clients
 * hear every write made through any of them (`SqliteEventBus`, or `FileEventBus` on files).
 *
 * On Node it serves with `serveApp` (`@hono/node-server`, WebSocket through `ws`) when those
 * optional peers are installed, else with `node:http` alone (Server-Sent Events, no WebSocket).
 * @module
 */
import process from "node:process";
import type { ServedApp, ServedAppOptions } from "../server/index.ts";
import { type Command, intValue, stringOption } from "./args.ts";
import { type DataApp, openDataApp } from "./data-app.ts";
import { CliError, EXIT } from "./errors.ts";
import { dataFolder } from "./target.ts";

const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

/** `--history-limit`, else BOTKNOBS_HISTORY_LIMIT, else 100; `0`/`none`: every version. */
function historyLimit(flag: string | undefined): number | undefined {
  const given = flag ?? (process.env.BOTKNOBS_HISTORY_LIMIT || undefined);
  const text = (given ?? "100").trim();
  if (text === "none" || text === "0") return undefined;
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw new CliError(
      `invalid history limit ${JSON.stringify(given ?? "")} (--history-limit or BOTKNOBS_HISTORY_LIMIT): a whole number of versions to keep per bot, or 0 / none to keep every version`,
      EXIT.USAGE,
    );
  return Number(text);
}

/** A running server, however it serves. */
interface Listening {
  url: string;
  close(): Promise<void>;
}

/** What serves on this runtime: `serveApp` with the optional peers, else `node:http` alone. */
async function server(): Promise<{
  serve: (app: ServedApp["app"], at: { hostname: string; port: number }) => Promise<Listening>;
  upgradeWebSocket?: ServedAppOptions["upgradeWebSocket"];
}> {
  try {
    const node = await import("../adapters/node/node-serve.ts");
    return { serve: node.serveApp, upgradeWebSocket: node.upgradeWebSocket };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Only a missing peer falls back; anything else is a real failure.
    if (!/@hono\/node-server|\bws\b/.test(message)) throw error;
    return { serve: (await import("./serve-builtin.ts")).serveBuiltin };
  }
}

/** `botknobs serve`. */
export const serveCommand: Command = {
  name: "serve",
  usage:
    "botknobs serve [--data DIR] [--memory] [--store sqlite|file] [--port N] [--host H] [--history-limit N]",
  help: `Serves the botknobs HTTP API (bots, knowledge bases, search, events; /openapi.json) until
stopped (Ctrl-C). Everything is kept in the data folder; a fresh one is seeded with a demo bot
('support-bot') and knowledge base ('support'). The sweep of what a crashed run left behind runs
in the background once it listens. The registry, its history and the event log are kept in
SQLite (<data>/botknobs.db) when the runtime has it (on Node: npm install better-sqlite3), else in
files; a data folder written on files is migrated to SQLite on its first start there.

  --data DIR           the data folder (or BOTKNOBS_DATA; default ./data)
  --memory             keep everything in memory instead (gone on exit)
  --store S            sqlite, file or auto (or BOTKNOBS_STORE; default auto: SQLite when it loads)
  --port N             the port (or PORT; default 8787; 0: any free port)
  --host H             the address (or BOTKNOBS_HOST; default 127.0.0.1)
  --history-limit N    versions kept per bot (or BOTKNOBS_HISTORY_LIMIT; default 100; 0 or none: all)

environment: BOTKNOBS_TOKENS (read-write bearer tokens, comma-separated), BOTKNOBS_READ_TOKENS
(read-only tokens). Without tokens the API is open, so it listens only on loopback.
example: botknobs serve --data ./data --port 8787`,
  options: {
    data: { type: "string" },
    memory: { type: "boolean" },
    store: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "history-limit": { type: "string" },
  },
  positionals: [0, 0],
  async run({ values }, out) {
    const tokens = list(process.env.BOTKNOBS_TOKENS);
    const readOnlyTokens = list(process.env.BOTKNOBS_READ_TOKENS);
    const hostname = stringOption(values, "host") ?? process.env.BOTKNOBS_HOST ?? "127.0.0.1";
    const portFlag = stringOption(values, "port");
    const port =
      intValue(portFlag ?? process.env.PORT, portFlag === undefined ? "PORT" : "--port", {
        min: 0,
        max: 65535,
      }) ?? 8787;
    const limit = historyLimit(stringOption(values, "history-limit"));
    const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(hostname);
    const auth = tokens.length + readOnlyTokens.length > 0;
    if (!auth && !loopback)
      throw new CliError(
        `refusing to serve without tokens on ${hostname}: set BOTKNOBS_TOKENS, or use 127.0.0.1`,
        EXIT.USAGE,
      );

    const [runtime, { createInMemoryApp }, { seedDemo }] = await Promise.all([
      server(),
      import("../server/index.ts"),
      import("./seed.ts"),
    ]);
    const options: ServedAppOptions = {
      ...(runtime.upgradeWebSocket ? { upgradeWebSocket: runtime.upgradeWebSocket } : {}),
      ...(auth ? { auth: { tokens, readOnlyTokens } } : {}),
      historyLimit: limit,
    };
    const history =
      limit === undefined
        ? "every version of each bot"
        : `the last ${limit} version(s) of each bot`;
    let services: ServedApp;
    let kept: string;
    let fileApp: DataApp["app"] | undefined;
    // Said after the first line, which stays the one about auth.
    let notes: string[] = [];
    if (values.memory) {
      services = createInMemoryApp(options);
      kept = `in memory (--memory): nothing is kept when it stops; history: ${history}`;
    } else {
      const opened = await openDataApp(dataFolder(values), options, stringOption(values, "store"));
      notes = opened.notes;
      fileApp = opened.app;
      const where =
        opened.kind === "sqlite"
          ? "registry and events in SQLite (botknobs.db)"
          : "registry and events in files";
      kept = `data kept in ${fileApp.path}; ${where}; history: ${history}`;
      services = fileApp;
    }
    // Demo data on a fresh data folder: one bot, one knowledge base with two files, ingested.
    const fresh = await seedDemo(services);
    const served = await runtime.serve(services.app, { hostname, port }).catch((error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code === "EADDRINUSE" || code === "EACCES")
        throw new CliError(
          `cannot listen on ${hostname}:${port} (${code === "EADDRINUSE" ? "in use" : "not allowed"}): stop what holds it, or choose another with --port N (0: any free port)`,
          EXIT.FAILED,
          { cause: error },
        );
      throw error;
    });
    out.print(
      auth
        ? `botknobs API on ${served.url} — bearer tokens required (${tokens.length} read-write, ${readOnlyTokens.length} read-only)`
        : `botknobs API on ${served.url} — no auth (loopback only; set BOTKNOBS_TOKENS to require tokens)`,
    );
    for (const note of notes) out.print(note);
    out.print(kept);
    out.print(
      fresh
        ? "seeded: bot 'support-bot', knowledge base 'support' (faq.md, plans.json), ingested"
        : `found: ${await services.registry.count()} active bot(s), ${(await services.knowledge.listKbs()).length} knowledge base(s)`,
    );
    out.print(
      `try: curl ${served.url}/bots/support-bot   ·   curl '${served.url}/kb/support/search?q=reset+password'`,
    );
    out.print(
      runtime.upgradeWebSocket
        ? `events: curl -N ${served.url}/events (Server-Sent Events), or a WebSocket to ${served.url.replace(/^http/, "ws")}/events`
        : `events: curl -N ${served.url}/events (Server-Sent Events); for WebSocket too, install the optional peers: npm i ws @hono/node-server`,
    );

    // The sweep after listening: requests are answered meanwhile (restart time does not grow
    // with the number of files); what it removes is never served.
    if (fileApp) {
      const { path } = fileApp;
      const began = performance.now();
      fileApp.sweep().then(
        ({ files, objects }) => {
          const seconds = ((performance.now() - began) / 1000).toFixed(1);
          const cleaned = files + objects;
          out.print(
            `swept ${path} in ${seconds} s: ${cleaned ? `cleaned up ${cleaned} leftovers of an earlier crash` : "nothing left behind"}`,
          );
        },
        (error: unknown) =>
          out.note(
            `sweeping ${path} failed (serving goes on; the next start sweeps again): ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    }

    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await served.close();
    // Whatever else runs (a sweep, an ingestion job) stops with the server, as it always has.
    process.exit(EXIT.OK);
  },
};
