/**
 * The Worker under `wrangler dev`, started exactly as a user starts it — `npm run dev -- --port <p>
 * --inspector-port <q> --persist-to <folder>` (migrations first, then `wrangler dev`) — on free
 * ports, for the end-to-end tests and the burst bench. Its output (wrangler's and workerd's) is
 * kept, so a test can show what the runtime said.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A port nobody listens on now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** One running `npm run dev`. */
export interface DevProcess {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** What wrangler and workerd printed so far. */
  output(): string;
  /** Stops the process group (wrangler and its workerd), waiting for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startDev}. */
export interface StartDevOptions {
  /** Where wrangler keeps D1, R2 and Durable Object state. */
  persist: string;
  /** The checkout to run `npm run dev` in (default: the current directory). */
  cwd?: string;
  /** More arguments for `wrangler dev` (after `--`). */
  args?: string[];
  /** How long to wait for the first answer (default 60 s). */
  timeoutMs?: number;
}

/**
 * Starts `npm run dev` and resolves once `GET /openapi.json` answers 200.
 * @example
 * const dev = await startDev({ persist: await mkdtemp(join(tmpdir(), "dev-")) });
 * await fetch(`${dev.base}/bots`);
 * await dev.stop();
 */
export async function startDev(options: StartDevOptions): Promise<DevProcess> {
  const port = await freePort();
  const inspector = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    "npm",
    [
      "run",
      "--silent",
      "dev",
      "--",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      options.persist,
      ...(options.args ?? []),
    ],
    {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
    },
  );
  const keep = (d: Buffer): void => {
    output += d.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = async (): Promise<void> => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // Gone.
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  const until = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    const ok = await fetch(`${base}/openapi.json`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { base, output: () => output, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(
    `wrangler dev did not answer within ${options.timeoutMs ?? 60_000} ms:\n${output}`,
  );
}
