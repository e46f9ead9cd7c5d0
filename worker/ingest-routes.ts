/**
 * The Worker's ingestion routes, served by the {@link IngestionRunner} Durable Object of each
 * domain instead of the isolate's in-process jobs: `POST /kb/{domain}/ingest` answers 202 with
 * the job (and its `Location`) at once, `GET /kb/{domain}/ingest/{job}` its progress and result,
 * `GET /kb/{domain}/ingest` the domain's jobs, newest first. Same bodies as on Node: both go
 * through the core's `IngestionScheduler` port ({@link runnerScheduler} here).
 * @module
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types/index.ts";
import { Hono } from "hono";
import { NotFoundError } from "../src/core/errors.ts";
import type {
  IngestionJobDict,
  IngestionJobOptions,
  IngestionScheduler,
  ScheduledIngestion,
} from "../src/core/knowledge/ingest/scheduler.ts";
import { validateBotId } from "../src/core/validate.ts";
import { ApiError, type ApiErrorBody, readIngestOptions } from "../src/server/index.ts";
import type { IngestionRunner, StartInput } from "./ingestion-runner.ts";

/** Request bodies of `POST /kb/{domain}/ingest` are small: 64 KiB at most. */
const MAX_BODY = 64 * 1024;

/**
 * The Durable Object `IngestionScheduler`: each domain's runs happen in its
 * {@link IngestionRunner} (a batch of the ingestion step per alarm, resumed after a crash), so
 * `schedule` hands nothing back to keep alive. An error the object answers is thrown as an
 * `ApiError` with its status and code.
 * @example
 * const { job } = await runnerScheduler(env.INGEST).schedule("support");
 */
export function runnerScheduler(namespace: DurableObjectNamespace): IngestionScheduler {
  const call = async (domain: string, path: string, init?: RequestInit): Promise<unknown> => {
    validateBotId(domain, "domainId");
    const stub = namespace.get(namespace.idFromName(domain));
    const res = (await stub.fetch(`https://runner${path}`, init as never)) as unknown as Response;
    const body = (await res.json()) as unknown;
    if (res.ok) return body;
    const { error } = body as ApiErrorBody;
    throw new ApiError(res.status, error.code, error.message);
  };
  return {
    async schedule(domain, options: IngestionJobOptions = {}): Promise<ScheduledIngestion> {
      const start: StartInput = { domain, ...options };
      const job = await call(domain, "/start", { method: "POST", body: JSON.stringify(start) });
      return { job: job as IngestionJobDict };
    },
    async status(domain, jobId) {
      try {
        return (await call(domain, `/jobs/${encodeURIComponent(jobId)}`)) as IngestionJobDict;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    async list(domain) {
      return ((await call(domain, "/jobs")) as { items: IngestionJobDict[] }).items;
    },
  };
}

/**
 * The routes, mounted at the Worker's root.
 * @example
 * app.route("/", ingestRoutes(env.INGEST));
 */
export function ingestRoutes(namespace: DurableObjectNamespace): Hono {
  const r = new Hono();
  const scheduler = runnerScheduler(namespace);

  r.post("/kb/:domain/ingest", async (c) => {
    const domain = c.req.param("domain");
    validateBotId(domain, "domainId");
    const { job } = await scheduler.schedule(domain, await readIngestOptions(c, MAX_BODY));
    c.header("Location", `${c.req.path}/${job.job_id}`);
    return c.json(job, 202);
  });

  r.get("/kb/:domain/ingest", async (c) => {
    return c.json({ items: await scheduler.list(c.req.param("domain")) });
  });

  r.get("/kb/:domain/ingest/:job", async (c) => {
    const domain = c.req.param("domain");
    const job = await scheduler.status(domain, c.req.param("job"));
    if (!job) throw new NotFoundError(`No ingestion job '${c.req.param("job")}' for '${domain}'`);
    return c.json(job);
  });

  return r;
}
