// Runs every runtime-agnostic suite under `bun test`.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { runAll } from "../conformance/all.ts";

runAll({ describe, it, expect: expect as never, beforeEach, afterEach }, "bun");
