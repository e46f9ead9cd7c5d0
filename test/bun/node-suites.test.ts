// The botknobs/node adapter suites under Bun.
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { runNodeSuites } from "../node/node-suites.ts";

runNodeSuites({ describe, it, expect: expect as never, beforeEach, afterEach }, "bun");
