// The botknobs/sqlite suites under Bun (bun:sqlite).
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { runSqliteSuites } from "../node/sqlite-suites.ts";

runSqliteSuites({ describe, it, expect: expect as never, beforeEach, afterEach }, "bun");
