/**
 * The Worker's ingestion routes, served by the {@link IngestionRunner} Durable Object of each
 * domain instead of the isolate's in-process jobs: `POST /kb/{domain}/ingest` answers 202 with
 * the job (and its `Location`) at once, `GET /kb/{domain}/ingest/{job}` its progress and result,
 * `GET /kb/{domain}/ingest` the domain's jobs, newest first. Same bodies as on Node.
 * @module
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types/index.ts";
import { Hono } from "hono";
import { validateBotId } from "../src/core/validate.ts";
import { readIngestOptions } from "../src/server/index.ts";
import type { StartInput } from "./ingestion-runner.ts";

/** Request bodies of `POST /kb/{domain}/ingest` are small: 64 KiB at most. */
const MAX_BODY = 64 * 1024;

/**
 * The routes, mounted at the Worker's root.
 * @example
 * app.route("/", ingestRoutes(env.INGEST));
 */
export function ingestRoutes(namespace: DurableObjectNamespace): Hono {
  const r = new Hono();
  const runner = (domain: string) => {
    validateBotId(domain, "domainId");
    const stub = namespace.get(namespace.idFromName(domain));
    return (path: string, init?: RequestInit): Promise<Response> =>
      stub.fetch(`https://runner${path}`, init as never) as unknown as Promise<Response>;
  };

  r.post("/kb/:domain/ingest", async (c) => {
    const domain = c.req.param("domain");
    const call = runner(domain);
    const start: StartInput = { domain, ...(await readIngestOptions(c, MAX_BODY)) };
    const res = await call("/start", { method: "POST", body: JSON.stringify(start) });
    const body = (await res.json()) as { job_id?: string };
    if (res.status === 202) c.header("Location", `${c.req.path}/${body.job_id}`);
    return c.json(body, res.status as 202);
  });

  r.get("/kb/:domain/ingest", async (c) => {
    const res = await runner(c.req.param("domain"))("/jobs");
    return c.json(await res.json(), res.status as 200);
  });

  r.get("/kb/:domain/ingest/:job", async (c) => {
    const res = await runner(c.req.param("domain"))(
      `/jobs/${encodeURIComponent(c.req.param("job"))}`,
    );
    return c.json(await res.json(), res.status as 200);
  });

  return r;
}
