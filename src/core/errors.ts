/**
 * One error base class and the few subclasses callers branch on.
 *
 * Errors are branded with `Symbol.for(...)`, so `err instanceof NotFoundError` still holds when two
 * copies of the library end up in one bundle (a Worker that bundles botknobs twice, say).
 * @module
 */

/** The catalogue of error codes: one per subclass, stable across releases. */
export const ErrorCode = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  VALIDATION: "VALIDATION",
  PORTABILITY: "PORTABILITY",
  UNSUPPORTED: "UNSUPPORTED",
  ADAPTER: "ADAPTER",
  READ_ONLY: "READ_ONLY",
  HTTP: "HTTP",
  CLOSED: "CLOSED",
} as const;
/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const BRAND: unique symbol = Symbol.for("botknobs.error") as never;

interface Branded {
  [BRAND]: readonly string[];
}

function isBranded(value: unknown): value is Branded {
  return (
    typeof value === "object" && value !== null && Array.isArray((value as Partial<Branded>)[BRAND])
  );
}

/** Options every botknobs error takes. */
export interface BotknobsErrorOptions {
  cause?: unknown;
}

/**
 * The base of every error botknobs throws.
 * @example
 * try { await backend.update("ghost", {}) } catch (e) { if (e instanceof BotknobsError) console.log(e.code) }
 */
export class BotknobsError extends Error {
  /** The class name used for branded `instanceof` checks. */
  static readonly kind: string = "BotknobsError";
  /** A stable code from {@link ErrorCode}. */
  readonly code: ErrorCode | string;
  constructor(
    message: string,
    code: ErrorCode | string = "ERROR",
    options: BotknobsErrorOptions = {},
  ) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.code = code;
    const kinds: string[] = [];
    for (let c = new.target as unknown; c && c !== Error; c = Object.getPrototypeOf(c)) {
      const kind = (c as { kind?: string }).kind;
      if (kind && Object.hasOwn(c as object, "kind")) kinds.push(kind);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = kinds[0] ?? "BotknobsError";
  }

  // `this` is the class on the right of `instanceof` (a subclass too), so it must stay dynamic.
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the subclass being tested is `this`.
    return isBranded(value) && value[BRAND].includes((this as typeof BotknobsError).kind);
  }
}

/** A bot, knowledge base, file or resource does not exist. */
export class NotFoundError extends BotknobsError {
  static override readonly kind: string = "NotFoundError";
  constructor(message: string, options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.NOT_FOUND, options);
  }
}

/**
 * A knowledge base's revision was there and its history no longer keeps it (the search index
 * cut it, `keepRevisions`): nothing can be searched as of it. The HTTP API answers 410.
 * @example
 * try { await kb.query(q, { filter: { domain_id: "support" }, revision }) }
 * catch (e) { if (e instanceof RevisionGoneError) alert(`pin ${e.revision} again`) }
 */
export class RevisionGoneError extends NotFoundError {
  static override readonly kind: string = "RevisionGoneError";
  readonly domainId: string;
  readonly revision: string;
  constructor(domainId: string, revision: string, options: BotknobsErrorOptions = {}) {
    super(
      `Revision '${revision}' of knowledge base '${domainId}' is no longer kept (the index history pruned it): pin a kept revision (GET /kb/${domainId}/revisions)`,
      options,
    );
    this.domainId = domainId;
    this.revision = revision;
  }
}

/** A version or ETag precondition failed, or the thing already exists. */
export class ConflictError extends BotknobsError {
  static override readonly kind: string = "ConflictError";
  constructor(message: string, options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.CONFLICT, options);
  }
}

/**
 * Another run holds the ingestion lease of a knowledge base: it is being ingested (`until` says
 * when the lease runs out unless its holder renews it), or — `lost` — it took the lease over from
 * the run that gets this error, whose lease had run out.
 * @example
 * try { await claim.claim() } catch (e) { if (e instanceof LeaseHeldError) retryAt(e.until) }
 */
export class LeaseHeldError extends ConflictError {
  static override readonly kind: string = "LeaseHeldError";
  readonly domainId: string;
  /** The holder's owner token (null: a claim written without one). */
  readonly holder: string | null;
  /** When the holder's lease runs out unless renewed (ISO time). */
  readonly until: string;
  /** The lease was this run's and another run took it over. */
  readonly lost: boolean;
  constructor(
    domainId: string,
    holder: string | null,
    until: string,
    lost = false,
    options: BotknobsErrorOptions = {},
  ) {
    super(
      lost
        ? `The ingestion lease of knowledge base '${domainId}' was taken over by another run (this run did not renew it in time); that run's result stands: ingest again if needed`
        : `Knowledge base '${domainId}' is being ingested by another run (its lease runs until ${until} unless renewed); wait for it, or ingest again later`,
      options,
    );
    this.domainId = domainId;
    this.holder = holder;
    this.until = until;
    this.lost = lost;
  }
}

/**
 * A search-index commit made against a version of its scope that is no longer the current one
 * (another commit landed meanwhile): nothing was committed. Plan again against the new version.
 * @example
 * try { await update.commit() } catch (e) { if (e instanceof StaleIndexError) await replan() }
 */
export class StaleIndexError extends ConflictError {
  static override readonly kind: string = "StaleIndexError";
  constructor(message: string, options: BotknobsErrorOptions = {}) {
    super(message, options);
  }
}

/** One problem found in an input: where it is and what is wrong. */
export interface ValidationIssue {
  /** The path of the offending field, e.g. `["config", "llm"]`. */
  path: (string | number)[];
  message: string;
}

/** Bad input. Nothing was written. `issues` lists every problem found. */
export class ValidationError extends BotknobsError {
  static override readonly kind: string = "ValidationError";
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[] = [], options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.VALIDATION, options);
    this.issues = issues;
  }
}

/** A configuration holds resolved local values (home directories, localhost) that break portability. */
export class PortabilityError extends BotknobsError {
  static override readonly kind: string = "PortabilityError";
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.PORTABILITY, options);
    this.issues = issues;
  }
}

/** The backend or runtime lacks a capability the call needs. */
export class UnsupportedError extends BotknobsError {
  static override readonly kind: string = "UnsupportedError";
  constructor(message: string, options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.UNSUPPORTED, options);
  }
}

/** A storage or transport backend failed; `adapter` names it, `cause` holds the original error. */
export class AdapterError extends BotknobsError {
  static override readonly kind: string = "AdapterError";
  readonly adapter: string;
  constructor(adapter: string, message: string, options: BotknobsErrorOptions = {}) {
    super(`${adapter}: ${message}`, ErrorCode.ADAPTER, options);
    this.adapter = adapter;
  }
}

/** A write was attempted on a read-only backend. */
export class ReadOnlyError extends BotknobsError {
  static override readonly kind: string = "ReadOnlyError";
  constructor(message = "Backend is in read-only mode", options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.READ_ONLY, options);
  }
}

/** An HTTP peer answered with an error status. */
export class HttpError extends BotknobsError {
  static override readonly kind: string = "HttpError";
  readonly status: number;
  constructor(status: number, message: string, options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.HTTP, options);
    this.status = status;
  }
}

/** The object was closed and cannot be used any more. */
export class ClosedError extends BotknobsError {
  static override readonly kind: string = "ClosedError";
  constructor(message: string, options: BotknobsErrorOptions = {}) {
    super(message, ErrorCode.CLOSED, options);
  }
}

/** Turns anything thrown into a message, for error lists and logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
