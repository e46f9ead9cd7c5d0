/**
 * The one error shape of the HTTP API, `{ error: { code, message, issues? } }`, and the single
 * place where botknobs errors become status codes.
 * @module
 */
import type { Context } from "hono";
import {
  AdapterError,
  BotknobsError,
  ClosedError,
  ConflictError,
  HttpError,
  NotFoundError,
  ReadOnlyError,
  RevisionGoneError,
  UnsupportedError,
  ValidationError,
  type ValidationIssue,
} from "../core/errors.ts";

/**
 * The `error.code` values the API answers with.
 * @example
 * if (body.error.code === ApiErrorCode.PRECONDITION_FAILED) await retryWithFreshVersion();
 */
export const ApiErrorCode = {
  VALIDATION: "VALIDATION",
  NOT_FOUND: "NOT_FOUND",
  /** A knowledge base revision the index history no longer keeps (410). */
  GONE: "GONE",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PRECONDITION_REQUIRED: "PRECONDITION_REQUIRED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RANGE_NOT_SATISFIABLE: "RANGE_NOT_SATISFIABLE",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  READ_ONLY: "READ_ONLY",
  UNSUPPORTED: "UNSUPPORTED",
  ADAPTER: "ADAPTER",
  UNAVAILABLE: "UNAVAILABLE",
  INTERNAL: "INTERNAL",
} as const;
/** One of the {@link ApiErrorCode} values. */
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: ValidationIssue[] };
}

/**
 * An error the API answers with a given status and code (thrown by routes, body readers and
 * stream limits; the error handler turns it into the response).
 * @example
 * throw new ApiError(413, ApiErrorCode.PAYLOAD_TOO_LARGE, "Body exceeds 1048576 bytes");
 */
export class ApiError extends HttpError {
  static override readonly kind: string = "ApiError";
  /** The `error.code` of the response. */
  readonly apiCode: ApiErrorCode | string;
  /** Extra response headers (e.g. `WWW-Authenticate`, `Content-Range`). */
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    apiCode: ApiErrorCode | string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(status, message);
    this.apiCode = apiCode;
    this.headers = headers;
  }
}

/** A mapped error: status, body and headers. */
export interface MappedError {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
}

function body(code: string, message: string, issues?: ValidationIssue[]): ApiErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

/**
 * Maps anything thrown to a response: bad input 400, missing 404, a pruned knowledge revision
 * 410, conflicts 409, read-only 403,
 * unsupported 501, storage failures 502, closed 503; anything unknown is a 500 that does not leak
 * its message.
 * @example
 * mapError(new NotFoundError("Bot 'x' not found")).status; // 404
 */
export function mapError(error: unknown): MappedError {
  const plain = (status: number, code: string, message: string): MappedError => ({
    status,
    body: body(code, message),
    headers: {},
  });
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: body(error.apiCode, error.message),
      headers: error.headers,
    };
  }
  if (error instanceof ValidationError) {
    return {
      status: 400,
      body: body(ApiErrorCode.VALIDATION, error.message, error.issues),
      headers: {},
    };
  }
  if (error instanceof RevisionGoneError) return plain(410, ApiErrorCode.GONE, error.message);
  if (error instanceof NotFoundError) return plain(404, ApiErrorCode.NOT_FOUND, error.message);
  if (error instanceof ConflictError) return plain(409, ApiErrorCode.CONFLICT, error.message);
  if (error instanceof ReadOnlyError) return plain(403, ApiErrorCode.READ_ONLY, error.message);
  if (error instanceof UnsupportedError) return plain(501, ApiErrorCode.UNSUPPORTED, error.message);
  if (error instanceof AdapterError) return plain(502, ApiErrorCode.ADAPTER, error.message);
  if (error instanceof ClosedError) return plain(503, ApiErrorCode.UNAVAILABLE, error.message);
  if (error instanceof HttpError) {
    // A backend that is itself an HTTP client (HTTPRegistryBackend) failed upstream.
    return plain(error.status >= 500 ? 502 : error.status, ApiErrorCode.ADAPTER, error.message);
  }
  if (error instanceof BotknobsError) return plain(500, String(error.code), error.message);
  return plain(500, ApiErrorCode.INTERNAL, "Internal server error");
}

/**
 * The JSON error response for `error`.
 * @example
 * app.onError((error, c) => errorResponse(c, error));
 */
export function errorResponse(c: Context, error: unknown): Response {
  const mapped = mapError(error);
  return c.json(mapped.body, mapped.status as 400, mapped.headers);
}

/**
 * A `ValidationError` for one bad input field.
 * @example
 * throw badInput("If-Match", "expected *, a version or an ETag");
 */
export function badInput(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${field}: ${message}`, [{ path: [field], message }]);
}
