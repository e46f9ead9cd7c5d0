/**
 * The Worker's `IngestionScheduler`: each domain's runs happen in its {@link IngestionRunner}
 * Durable Object instead of the isolate's process. The app's own ingestion routes
 * (`POST /kb/{domain}/ingest` → 202 with the job, `GET …/ingest/{job}`, `GET …/ingest`) serve it,
 * with the same bodies as on Node: `createAppOver(stores, { ingestionScheduler })`.
 * @module
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types/index.ts";
import type {
  IngestionJobDict,
  IngestionJobOptions,
  IngestionScheduler,
  ScheduledIngestion,
} from "../src/core/knowledge/ingest/scheduler.ts";
import { validateBotId } from "../src/core/validate.ts";
import { ApiError, type ApiErrorBody } from "../src/server/index.ts";
import type { IngestionRunner, StartInput } from "./ingestion-runner.ts";

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
