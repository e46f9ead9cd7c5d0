/**
 * Portability checks: a stored config should hold `$resource` references and `${VAR}`
 * placeholders, not values resolved on one machine (home directories, localhost).
 * Matching is Unicode-aware (`/Users/José` is a home directory too).
 * @module
 */
import { PortabilityError } from "./errors.ts";

const WORD = "[\\p{L}\\p{N}_]+";
const SUSPICIOUS: readonly [RegExp, string][] = [
  [new RegExp(`/Users/${WORD}`, "gu"), "macOS home directory"],
  [new RegExp(`/home/${WORD}`, "gu"), "Linux home directory"],
  [new RegExp(`C:\\\\+Users\\\\+${WORD}`, "gu"), "Windows home directory"],
  [/localhost:\d+/gu, "localhost with port"],
  [/127\.0\.0\.1/gu, "localhost IP"],
  [/0\.0\.0\.0/gu, "all interfaces IP"],
];
// A match is safe when it follows a placeholder inside the same string: "${HOME}/home/user/x".
const SAFE_PREFIX = String.raw`(?:\$\{[^}]+\}|\$[A-Z_][A-Z0-9_]*)[^'"]*`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function render(config: unknown): string {
  return typeof config === "string" ? config : (JSON.stringify(config) ?? "");
}

/** Options of {@link validatePortability}. */
export interface ValidatePortabilityOptions {
  /** Throw {@link PortabilityError} when issues are found (default true); else return them. */
  raiseOnError?: boolean;
}

/**
 * Lists the resolved local values in a config (`Found macOS home directory: '/Users/dev'`).
 * @example
 * validatePortability({ path: "/Users/dev/data" }, { raiseOnError: false }); // ["Found macOS home directory: '/Users/dev'"]
 */
export function validatePortability(
  config: unknown,
  options: ValidatePortabilityOptions = {},
): string[] {
  const text = render(config);
  const issues: string[] = [];
  for (const [pattern, description] of SUSPICIOUS) {
    for (const match of text.matchAll(pattern)) {
      const found = match[0];
      if (new RegExp(SAFE_PREFIX + escapeRegExp(found), "u").test(text)) continue;
      issues.push(`Found ${description}: '${found}'`);
    }
  }
  if (issues.length > 0 && (options.raiseOnError ?? true)) {
    throw new PortabilityError(
      "Config appears to contain resolved local values that would break portability. " +
        "Store portable config with $resource references instead.\nIssues found:\n" +
        issues.map((i) => `  - ${i}`).join("\n"),
      issues,
    );
  }
  return issues;
}

/** True when the text `$resource` appears anywhere in the config (even inside a string value). */
export function hasResourceReferences(config: unknown): boolean {
  return render(config).includes("$resource");
}

/** True when the config uses `$resource` references, or has no portability issues. */
export function isPortable(config: unknown): boolean {
  return (
    hasResourceReferences(config) ||
    validatePortability(config, { raiseOnError: false }).length === 0
  );
}
