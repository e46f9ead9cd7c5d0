// Every runtime-agnostic suite under `deno test`, with Jest's standalone `expect` (from npm).
import { expect } from "expect";
import { runAll } from "../conformance/all.ts";
import { harness } from "./harness.ts";

runAll(harness(expect as never), "deno");
