/**
 * {@link IngestionClaim}: the status bookkeeping every ingestion run shares — it takes its
 * knowledge base's ingestion lease (`ingesting`, in the knowledge backend, so one run at a time
 * in every process and isolate sharing the storage; it runs out if the run dies), renews it as
 * it goes, and ends with `ready` or `error`.
 * @module
 */
import { LeaseHeldError, NotFoundError } from "../../errors.ts";
import { sleep } from "../../util/turns.ts";
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
  /**
   * The run's owner token (default: a new random one). A run whose batches run apart (the
   * Worker's, one per alarm) keeps its token with the job and passes it to each batch's claim.
   */
  owner?: string;
  /**
   * How long `claim()` waits for another run's lease, in ms (default 0: it throws
   * `LeaseHeldError` at once). While waiting it tries again every `pollMs`, and as soon as the
   * holder's lease would run out (a holder that died is taken over then).
   */
  waitMs?: number;
  /** How often `claim()` tries again while it waits, in ms (default 1000). */
  pollMs?: number;
  /** Told each time `claim()` finds the lease held and waits. */
  onWait?: (held: LeaseHeldError) => void;
  /** Aborting stops a wait with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * One run's hold on its knowledge base: an exclusive lease under the run's owner token. Every
 * write holds only for the run's generation: when the knowledge base was deleted (or created
 * again) meanwhile it rejects with `NotFoundError`, after removing what the index holds for that
 * generation, so nothing the run indexed ever serves a later knowledge base of the same id.
 * @example
 * const claim = new IngestionClaim(target, { renewMs: 20_000, waitMs: 600_000 });
 * await claim.claim(); // waits while another run holds the lease
 * // … batches, with `await claim.renew()` after each file or batch …
 * const status = await claim.finish(counters); // "ready" or "error"
 */
export class IngestionClaim {
  /** The run's owner token. */
  readonly owner: string;
  readonly #target: IngestTarget;
  readonly #options: IngestionClaimOptions;
  #written = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** The heartbeat's renewal under way: the run's last write waits for it. */
  #beat: Promise<void> = Promise.resolve();
  /** What a heartbeat's renewal failed with (the lease was lost): `renew()` throws it. */
  #failure: unknown;

  constructor(target: IngestTarget, options: IngestionClaimOptions = {}) {
    this.#target = target;
    this.#options = options;
    this.owner = options.owner ?? crypto.randomUUID();
  }

  /**
   * Takes the lease (the status becomes `ingesting`), waiting up to `waitMs` while another run
   * holds it; then throws that run's `LeaseHeldError`. Resolves with the status and error the
   * knowledge base had just before (what `restore` puts back should the run fail).
   */
  async claim(): Promise<{ status: IngestionStatus; error: string | null }> {
    const { waitMs = 0, pollMs = 1000, onWait, signal } = this.#options;
    const { source, domainId } = this.#target;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const before = await source.getInfo(domainId);
      try {
        await this.#write(IngestionStatus.INGESTING, null);
        return {
          status: before?.ingestionStatus ?? IngestionStatus.PENDING,
          error: before?.ingestionError ?? null,
        };
      } catch (error) {
        const left = deadline - Date.now();
        if (!(error instanceof LeaseHeldError) || left <= 0) throw error;
        onWait?.(error);
        const runsOut = Date.parse(error.until) - Date.now() + 20;
        await sleep(Math.max(20, Math.min(pollMs, runsOut, left)), signal);
      }
    }
  }

  /**
   * Renews the lease when `renewMs` passed since the last write (with `now`, at once). Throws
   * `LeaseHeldError` (`lost`) when another run has taken it over: this run must not go on.
   */
  async renew(now = false): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    const { renewMs = 0 } = this.#options;
    if (!now && renewMs > 0 && Date.now() - this.#written < renewMs) return;
    try {
      await this.#write(IngestionStatus.INGESTING, null);
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || error.lost) throw error;
      const { domainId } = this.#target;
      throw new LeaseHeldError(domainId, error.holder, error.until, true, { cause: error });
    }
  }

  /**
   * Renews the lease every `renewMs` until the run ends (`finish`, `restore` or `stop`), also
   * while one long file is read, chunked or embedded; a renewal that finds the lease lost makes
   * the next `renew()` throw. The timer does not keep a Node process alive.
   */
  heartbeat(): void {
    const { renewMs = 0 } = this.#options;
    if (renewMs <= 0 || this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      this.#beat = this.renew().catch((error: unknown) => {
        this.#failure ??= error;
        void this.stop();
      });
    }, renewMs);
    (this.#heartbeat as { unref?: () => void }).unref?.();
  }

  /** Stops the heartbeat; resolves once a renewal under way has settled. */
  stop(): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    return this.#beat;
  }

  /**
   * Ends the run and its lease: `ready` when no file failed, else `error` with the errors as
   * JSON in the knowledge base's `ingestionError`. Returns that status. When another run has
   * taken the lease over meanwhile, nothing is written: its status stands.
   */
  async finish(counters: Pick<IngestCounters, "errors">): Promise<IngestionStatus> {
    await this.stop();
    const ok = counters.errors.length === 0;
    const status = ok ? IngestionStatus.READY : IngestionStatus.ERROR;
    try {
      await this.#write(status, ok ? null : JSON.stringify(counters.errors));
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
    }
    return status;
  }

  /**
   * Puts back the status the knowledge base had before the run (the run failed and committed
   * nothing, so it still serves what it had), ending the lease. Never rejects: the run's own
   * error is what counts.
   */
  async restore(status: IngestionStatus, error: string | null): Promise<void> {
    await this.stop();
    await this.#write(status, error).catch(() => {});
  }

  async #write(status: IngestionStatus, error: string | null): Promise<void> {
    const { source, domainId, generation } = this.#target;
    try {
      await source.setIngestionStatus(domainId, status, error, { generation, owner: this.owner });
      this.#written = Date.now();
    } catch (cause) {
      // Deleted while the run went on: what it indexed must never serve a later knowledge base.
      if (cause instanceof NotFoundError) await forgetTarget(this.#target);
      throw cause;
    }
  }
}
