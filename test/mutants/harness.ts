/**
 * A recording test harness: a suite registers its cases into it (it is a `TestHarness`), then
 * `run()` runs them one after another — hooks included, each with a timeout — and reports
 * which passed, failed or were skipped, instead of failing the test that runs it. The mutant
 * tests use it to check that a deliberately broken implementation fails a port's suite; it
 * knows nothing of any port, so every port's mutants can use it.
 */
import type { TestHarness } from "../../src/testing/index.ts";

/** What happened to one case. */
export interface CaseResult {
  /** The describe path and the case name, joined with " > ". */
  name: string;
  status: "passed" | "failed" | "skipped";
  error?: unknown;
}

type Body = () => Promise<void> | void;
interface Scope {
  name: string;
  before: Body[];
  after: Body[];
}
interface Case {
  name: string;
  scopes: Scope[];
  fn: Body;
  skip: boolean;
  /** The case's own timeout when it gives a longer one. */
  timeoutMs: number;
}

/** A {@link TestHarness} that records cases, and runs them when asked. */
export interface RecordingHarness extends TestHarness {
  run(): Promise<CaseResult[]>;
}

function withTimeout(fn: Body, ms: number, name: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve().then(fn),
    new Promise<void>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${name}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A recording harness over `expect` (any Jest-style one that throws, e.g. the `expect` package).
 * @example
 * const h = recordingHarness(expect);
 * recordStoreSuite(h, { name: "mutant", create: () => new BrokenStore() });
 * const results = await h.run();
 */
export function recordingHarness(
  expect: TestHarness["expect"],
  options: {
    timeoutMs?: number;
    /** Only cases whose stable id this accepts are recorded (default: every case). */
    only?: (caseId: string) => boolean;
  } = {},
): RecordingHarness {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stack: Scope[] = [];
  const cases: Case[] = [];
  const add = (name: string, fn: Body, skip: boolean, ms?: number): void => {
    if (options.only && !options.only(caseIdOf(name))) return;
    cases.push({
      name: [...stack.map((s) => s.name), name].join(" > "),
      scopes: [...stack],
      fn,
      skip,
      timeoutMs: Math.max(ms ?? 0, timeoutMs),
    });
  };
  return {
    describe(name, fn) {
      stack.push({ name, before: [], after: [] });
      try {
        fn();
      } finally {
        stack.pop();
      }
    },
    it: Object.assign((name: string, fn: Body, ms?: number) => add(name, fn, false, ms), {
      skip: (name: string, fn: Body) => add(name, fn, true),
    }),
    expect,
    beforeEach(fn) {
      stack.at(-1)?.before.push(fn);
    },
    afterEach(fn) {
      stack.at(-1)?.after.push(fn);
    },
    async run() {
      const results: CaseResult[] = [];
      for (const c of cases) {
        if (c.skip) {
          results.push({ name: c.name, status: "skipped" });
          continue;
        }
        let error: unknown;
        try {
          for (const s of c.scopes)
            for (const b of s.before) await withTimeout(b, timeoutMs, c.name);
          await withTimeout(c.fn, c.timeoutMs, c.name);
        } catch (e) {
          error = e;
        }
        for (const s of [...c.scopes].reverse()) {
          for (const a of s.after) {
            try {
              await withTimeout(a, timeoutMs, c.name);
            } catch (e) {
              error ??= e;
            }
          }
        }
        results.push(
          error === undefined
            ? { name: c.name, status: "passed" }
            : { name: c.name, status: "failed", error },
        );
      }
      return results;
    },
  };
}

/** The stable id of a case: its name up to " - " (and without a skip's reason). */
function caseIdOf(name: string): string {
  return (name.split(" - ")[0] as string).replace(/ \(skipped: .*$/, "");
}

/**
 * The stable ids (the part of a case name before " - ") of the cases with `status`.
 * @example
 * caseIds(results, "failed"); // ["touch.never-reverts-put"]
 */
export function caseIds(results: CaseResult[], status: CaseResult["status"]): string[] {
  return results
    .filter((r) => r.status === status)
    .map((r) => caseIdOf(r.name.split(" > ").at(-1) as string));
}
