/**
 * Pages of a listing: the options, the result, and the limit every store and backend applies.
 * @module
 */
import { ValidationError } from "../errors.ts";

/** Where a page starts and how long it is. */
export interface PageOptions {
  /** The `cursor` of the previous page (opaque); omitted for the first page. */
  cursor?: string;
  /** At most this many items (1–{@link MAX_PAGE_LIMIT}, default {@link DEFAULT_PAGE_LIMIT}). */
  limit?: number;
}

/**
 * One page of a listing. `cursor` is present when more may follow: pass it back for the next
 * page. A page may hold fewer than `limit` items (even none) while a cursor follows; the walk
 * ends when there is no cursor.
 */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** The page size when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 1000;
/** The largest `limit` (Workers KV lists at most 1,000 keys per call). */
export const MAX_PAGE_LIMIT = 1000;

/**
 * The `limit` of a page, checked: an integer 1–{@link MAX_PAGE_LIMIT}, default {@link DEFAULT_PAGE_LIMIT}.
 * @example
 * pageLimit(undefined); // 1000
 * pageLimit(0); // throws ValidationError naming "limit"
 */
export function pageLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (
    typeof limit !== "number" ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_PAGE_LIMIT
  ) {
    throw new ValidationError(
      `Invalid limit ${JSON.stringify(limit)}: expected an integer from 1 to ${MAX_PAGE_LIMIT}`,
      [{ path: ["limit"], message: `expected an integer from 1 to ${MAX_PAGE_LIMIT}` }],
    );
  }
  return limit;
}
