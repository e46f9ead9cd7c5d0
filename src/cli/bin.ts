/**
 * The `botknobs` program: runs the command line on the process's arguments and exits with its
 * code. `bin/botknobs.js` (the package's `bin`) imports the compiled form of this file; in a
 * clone, `npm start` runs it from source (`tsx src/cli/bin.ts serve`).
 * @module
 */
import process from "node:process";
import { runCli } from "./main.ts";

// Output piped into a reader that stopped (`botknobs bots ls | head -1`): done, not a crash.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
