// The Redis and PostgreSQL event buses under Bun, against the real servers.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { POSTGRES, REDIS, reachable } from "../fixtures/services.ts";
import { runBusSuites } from "../node/bus-suites.ts";

const up = { redis: await reachable(REDIS), postgres: await reachable(POSTGRES) };
runBusSuites({ describe, it, expect: expect as never, beforeEach, afterEach }, "bun", up);
