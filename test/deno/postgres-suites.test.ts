// The botknobs/postgres suites under Deno, against the real server (skipped without one).
import { expect } from "expect";
import { postgresMissing } from "../fixtures/postgres.ts";
import { runPostgresSuites } from "../node/postgres-suites.ts";
import { harness } from "./harness.ts";

runPostgresSuites(harness(expect as never), "deno", await postgresMissing());
