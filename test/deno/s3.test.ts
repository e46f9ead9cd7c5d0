// The S3 adapter (botknobs/s3) under Deno, against the S3 test server (s3rver, started here in a
// Node child process): the umbrella suites, the S3 specifics and faults (test/fixtures/s3-suites.ts).
import { expect } from "expect";
import { withS3Server } from "../fixtures/s3-server.ts";
import { runS3Suites } from "../fixtures/s3-suites.ts";
import { harness } from "./harness.ts";

const h = harness(expect as never);
await withS3Server(h, (server) => runS3Suites(h, "deno", server));
