import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runNodeSuites } from "./node-suites.ts";

runNodeSuites({ describe, it, expect, beforeEach, afterEach }, "node");
