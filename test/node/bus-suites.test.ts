import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POSTGRES, REDIS, reachable } from "../fixtures/services.ts";
import { runBusSuites } from "./bus-suites.ts";

const up = { redis: await reachable(REDIS), postgres: await reachable(POSTGRES) };
runBusSuites({ describe, it, expect, beforeEach, afterEach }, "node", up);
