#!/usr/bin/env node
// `npm run dev [-- wrangler dev options]`: the Worker under `wrangler dev`, its state (D1, KV, R2,
// Durable Objects) kept under ./data/wrangler. The D1 migrations are applied first to the same
// folder. Address and port come from wrangler.toml's [dev] (127.0.0.1:8787); anything given after
// `--` goes to `wrangler dev` as is, so `npm run dev -- --port 9000` moves it and
// `npm run dev -- --persist-to /tmp/state` keeps the state elsewhere (the migrations follow it).
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const args = process.argv.slice(2);
const given = (flag) => args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
const at = given("--persist-to");
const persist =
  at < 0 ? "./data/wrangler" : args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const env = { ...process.env, CI: "1" };

const migrated = spawnSync(
  process.execPath,
  [wrangler, "d1", "migrations", "apply", "botknobs", "--local", "--persist-to", persist],
  { stdio: "inherit", env },
);
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const dev = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    ...(at < 0 ? ["--persist-to", persist] : []),
    ...(given("--var") < 0 ? ["--var", "BOTKNOBS_SEED_DEMO:1"] : []),
    ...args,
  ],
  { stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
