// `botknobs` under Deno: `deno run -A src/cli/bin.ts …`, spawned.
import { expect } from "expect";
import { type Running, runCliOnRuntime } from "../node/cli-runtimes.ts";
import { harness } from "./harness.ts";

/** A Deno child through Deno.Command (its SIGTERM reaches the handler `serve` installs). */
function start(command: string, args: string[], cwd: string): Running {
  const child = new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "null" }).spawn();
  let out = "";
  void child.stdout.pipeTo(
    new WritableStream({
      write(chunk) {
        out += new TextDecoder().decode(chunk);
      },
    }),
  );
  return {
    output: () => out,
    stop: async () => {
      child.kill("SIGTERM");
      return (await child.status).code;
    },
  };
}

runCliOnRuntime(
  harness(expect as never),
  "deno",
  [Deno.execPath(), "run", "-A", "src/cli/bin.ts"],
  start,
);
