/**
 * The id rule on its own (no schema library), for code that must stay small — stores check
 * label names with it, and `botknobs/d1` or `botknobs/kv` should not load zod for that.
 * @module
 */

/**
 * Bot ids and knowledge-base domain ids: 1–256 characters of `[A-Za-z0-9._:@-]`, except `.` and
 * `..` (they would name a directory, not a bot, in URLs and file layouts).
 * @example
 * ID_PATTERN.test("support-bot"); // true
 */
export const ID_PATTERN: RegExp = /^(?!\.{1,2}$)[A-Za-z0-9._:@-]{1,256}$/;
