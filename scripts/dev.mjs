#!/usr/bin/env node
// `npm run dev [-- wrangler dev options]`: the Worker under `wrangler dev`, its state (D1, KV, R2,
// Durable Objects) kept under ./data/wrangler. The D1 migrations are applied first to the same
// folder. Address and port come from wrangler.toml's [dev] (127.0.0.1:8787); anything given after
// `--` goes to `wrangler dev` as is, so `npm run dev -- --port 9000` moves it and
// `npm run dev -- --persist-to /tmp/state` keeps the state elsewhere (the migrations follow it).
//
// The address and port are served by scripts/dev-front.mjs, which hands each request to
// `wrangler dev` on an internal loopback port over a connection of its own (why: see there).
// On a loopback address the Worker is open to writes without tokens (`BOTKNOBS_PUBLIC=1`, set
// here and nowhere in wrangler.toml, so a deploy does not inherit it); on any other address it
// serves reads only unless `BOTKNOBS_TOKENS` is given (`--var BOTKNOBS_TOKENS:…` or .dev.vars).
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { startFront } from "./dev-front.mjs";

const args = process.argv.slice(2);
const given = (flag) => args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
const argValue = (flag) => {
  const at = given(flag);
  if (at < 0) return undefined;
  return args[at].includes("=") ? args[at].slice(args[at].indexOf("=") + 1) : args[at + 1];
};
/** The arguments without `flag` and its value. */
const without = (list, flag) => {
  const at = list.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (at < 0) return list;
  return [...list.slice(0, at), ...list.slice(at + (list[at].includes("=") ? 1 : 2))];
};

const persist = argValue("--persist-to") ?? "./data/wrangler";
const host = argValue("--ip") ?? "127.0.0.1";
const port = Number(argValue("--port") ?? 8787);
const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(host);
const vars = args.flatMap((a, i) =>
  args[i - 1] === "--var" ? [a] : a.startsWith("--var=") ? [a.slice(6)] : [],
);
const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const env = { ...process.env, CI: "1" };

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });

const migrated = spawnSync(
  process.execPath,
  [wrangler, "d1", "migrations", "apply", "botknobs", "--local", "--persist-to", persist],
  { stdio: "inherit", env },
);
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const internal = await freePort();
// wrangler's reloads of the Worker, counted from its output: a request that failed across one
// may have run, and is not resent (scripts/dev-front.mjs).
let reloads = 0;
const front = await startFront({ host, port, upstreamPort: internal, reloads: () => reloads });
console.log(
  `[botknobs] npm run dev: http://${host.includes(":") ? `[${host}]` : host}:${port} ` +
    `(wrangler dev behind it on 127.0.0.1:${internal}; ` +
    (loopback
      ? "open without tokens on this loopback address)"
      : "not loopback: reads only unless BOTKNOBS_TOKENS is given)"),
);
const forwarded = without(without(without(args, "--port"), "--ip"), "--persist-to");
const dev = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    "--persist-to",
    persist,
    "--ip",
    "127.0.0.1",
    "--port",
    String(internal),
    ...(vars.length === 0 ? ["--var", "BOTKNOBS_SEED_DEMO:1"] : []),
    ...(loopback && !vars.some((v) => v.startsWith("BOTKNOBS_PUBLIC:"))
      ? ["--var", "BOTKNOBS_PUBLIC:1"]
      : []),
    ...forwarded,
  ],
  { stdio: ["inherit", "pipe", "pipe"] },
);
for (const [from, to] of [
  [dev.stdout, process.stdout],
  [dev.stderr, process.stderr],
]) {
  from.on("data", (chunk) => {
    reloads += chunk.toString().split("Reloading local server").length - 1;
    to.write(chunk);
  });
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => {
  front.close();
  process.exit(code ?? (signal ? 1 : 0));
});
