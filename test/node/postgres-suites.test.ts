import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postgresMissing } from "../fixtures/postgres.ts";
import { runPostgresSuites } from "./postgres-suites.ts";

runPostgresSuites({ describe, it, expect, beforeEach, afterEach }, "node", await postgresMissing());
