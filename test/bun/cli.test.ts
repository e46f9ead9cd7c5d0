// `botknobs` under Bun: `bun src/cli/bin.ts …`, spawned.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { runCliOnRuntime } from "../node/cli-runtimes.ts";

runCliOnRuntime({ describe, it, expect: expect as never, beforeEach, afterEach }, "bun", [
  process.execPath,
  "src/cli/bin.ts",
]);
