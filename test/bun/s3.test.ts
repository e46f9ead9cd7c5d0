// The S3 adapter (botknobs/s3) under Bun, against the S3 test server (s3rver, started here in a
// Node child process): the umbrella suites, the S3 specifics and faults (test/fixtures/s3-suites.ts).
import { withS3Server } from "../fixtures/s3-server.ts";
import { runS3Suites } from "../fixtures/s3-suites.ts";
import { bunHarness } from "./harness.ts";

const h = bunHarness();
await withS3Server(h, (server) => runS3Suites(h, "bun", server));
