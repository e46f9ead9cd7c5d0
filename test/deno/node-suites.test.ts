// The botknobs/node adapter suites under Deno (node: compatibility), with the same harness.
import { expect } from "expect";
import { runNodeSuites } from "../node/node-suites.ts";
import { harness } from "./harness.ts";

runNodeSuites(harness(expect as never), "deno");
