import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSqliteSuites } from "./sqlite-suites.ts";

runSqliteSuites({ describe, it, expect, beforeEach, afterEach }, "node");
