// The botknobs/sqlite suites under Deno (node:sqlite), with the same harness.
import { expect } from "expect";
import { runSqliteSuites } from "../node/sqlite-suites.ts";
import { harness } from "./harness.ts";

runSqliteSuites(harness(expect as never), "deno");
