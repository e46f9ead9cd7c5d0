/**
 * {@link IngestionClaim}: the status bookkeeping every ingestion run shares — it claims its
 * knowledge base (`ingesting`, a lease the backend lets run out if the run dies), renews the
 * claim as it goes, and ends with `ready` or `error`.
 * @module
 */
import { NotFoundError } from "../../errors.ts";
import { IngestionStatus } from "../store/models.ts";
import { forgetTarget } from "./gone.ts";
import type { IngestCounters, IngestTarget } from "./types.ts";

/** Options of {@link IngestionClaim}. */
export interface IngestionClaimOptions {
  /**
   * `renew()` writes the claim again only when this many ms passed since the last write
   * (default 0: every call). Keep it well under the backend's `ingestionLeaseMs`.
   */
  renewMs?: number;
}

/**
 * One run's hold on its knowledge base. Every write holds only for the run's generation: when the
 * knowledge base was deleted (or created again) meanwhile it rejects with `NotFoundError`, after
 * removing what the index holds for that generation, so nothing the run indexed ever serves a
 * later knowledge base of the same id.
 * @example
 * const claim = new IngestionClaim(target, { renewMs: 20_000 });
 * await claim.claim();
 * // … batches, with `await claim.renew()` after each file or batch …
 * const status = await claim.finish(counters); // "ready" or "error"
 */
export class IngestionClaim {
  readonly #target: IngestTarget;
  readonly #renewMs: number;
  #written = 0;

  constructor(target: IngestTarget, options: IngestionClaimOptions = {}) {
    this.#target = target;
    this.#renewMs = options.renewMs ?? 0;
  }

  /** Claims the knowledge base: its status becomes `ingesting`. */
  claim(): Promise<void> {
    return this.#write(IngestionStatus.INGESTING, null);
  }

  /** Claims it again when `renewMs` passed since the last write. */
  async renew(): Promise<void> {
    if (this.#renewMs > 0 && Date.now() - this.#written < this.#renewMs) return;
    await this.#write(IngestionStatus.INGESTING, null);
  }

  /**
   * Ends the run: `ready` when no file failed, else `error` with the errors as JSON in the
   * knowledge base's `ingestionError`. Returns the status written.
   */
  async finish(counters: Pick<IngestCounters, "errors">): Promise<IngestionStatus> {
    const ok = counters.errors.length === 0;
    const status = ok ? IngestionStatus.READY : IngestionStatus.ERROR;
    await this.#write(status, ok ? null : JSON.stringify(counters.errors));
    return status;
  }

  /**
   * Puts back the status the knowledge base had before the run (the run failed and committed
   * nothing, so it still serves what it had). Never rejects: the run's own error is what counts.
   */
  async restore(status: IngestionStatus, error: string | null): Promise<void> {
    await this.#write(status, error).catch(() => {});
  }

  async #write(status: IngestionStatus, error: string | null): Promise<void> {
    const { source, domainId, generation } = this.#target;
    try {
      await source.setIngestionStatus(domainId, status, error, { generation });
      this.#written = Date.now();
    } catch (cause) {
      // Deleted while the run went on: what it indexed must never serve a later knowledge base.
      if (cause instanceof NotFoundError) await forgetTarget(this.#target);
      throw cause;
    }
  }
}
