/**
 * Bursts of concurrent PUTs through `npm run dev` (`wrangler dev`, the Worker in workerd with the
 * registry in local D1): each run sends BURST_SIZE PUTs at once — odd runs all to one bot, even
 * runs each to its own bot — then counts the answers by status and checks that every 200 was
 * applied (the bot's version, or each bot's config) and that nothing else was. Prints one line
 * per run and what the runtime logged about failed requests.
 *
 *   npx tsx bench/worker-burst.bench.ts                      (this checkout)
 *   npx tsx bench/worker-burst.bench.ts --root ../other-checkout   (another one, e.g. before a fix)
 *   env: BURST_RUNS=5 BURST_SIZE=500
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { burst } from "../test/node/wrangler-burst.ts";
import { startDev } from "../test/node/wrangler-dev-process.ts";

const RUNS = Number(process.env.BURST_RUNS ?? 5);
const SIZE = Number(process.env.BURST_SIZE ?? 500);
const at = process.argv.indexOf("--root");
const root = resolve(at > 0 ? (process.argv[at + 1] as string) : ".");

const persist = await mkdtemp(join(tmpdir(), "botknobs-burst-"));
const dev = await startDev({ persist, cwd: root });
console.log(`${root}: ${RUNS} bursts of ${SIZE} concurrent PUTs, load ${loadavg()[0]?.toFixed(1)}`);
try {
  for (let run = 1; run <= RUNS; run++) {
    const oneBot = run % 2 === 1;
    const r = await burst(dev.base, { size: SIZE, prefix: `run${run}`, oneBot });
    const statuses = Object.entries(r.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    console.log(
      `run ${run} (${oneBot ? "one bot" : `${SIZE} bots`}): 503s ${r.statuses[503] ?? 0}, ` +
        `answers ${statuses}, applied ${r.applied}/${r.ok} of the 200s, ` +
        `unanswered writes applied ${r.strayApplied}, applied twice ${r.doubled}, ${Math.round(r.ms)} ms`,
    );
  }
} finally {
  await dev.stop();
  await rm(persist, { recursive: true, force: true });
}
const said = dev
  .output()
  .split("\n")
  .filter((l) => /restarted|resent|error|exception|different request|uncaught/i.test(l));
const counts = new Map<string, number>();
// One line per resent request would drown the rest: count them by method.
const shape = (line: string): string =>
  line.trim().replace(/^(\[botknobs\] resent \w+) \S+: (.*) \(attempt \d+\)$/, "$1 …: $2");
for (const line of said) counts.set(shape(line), (counts.get(shape(line)) ?? 0) + 1);
if (counts.size > 0) console.log("runtime said:");
for (const [line, n] of [...counts].slice(0, 20)) console.log(`  ${n}× ${line.slice(0, 300)}`);
