// The Redis and PostgreSQL event buses under Deno (npm: clients through node_modules), against
// the real servers.
import { expect } from "expect";
import { POSTGRES, REDIS, reachable } from "../fixtures/services.ts";
import { runBusSuites } from "../node/bus-suites.ts";
import { harness } from "./harness.ts";

const up = { redis: await reachable(REDIS), postgres: await reachable(POSTGRES) };
runBusSuites(harness(expect as never), "deno", up);
