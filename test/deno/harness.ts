// A describe/it harness over Deno.test, so the runner-agnostic suites run under `deno test`.
import type { TestHarness } from "../../src/testing/index.ts";

type Hook = () => Promise<void> | void;
type Body = () => Promise<void> | void;
interface Scope {
  name: string;
  before: Hook[];
  after: Hook[];
}

export function harness(expect: TestHarness["expect"]): TestHarness {
  const stack: Scope[] = [];
  // `ignore: true` is how Deno reports a skip ("ignored" in its summary).
  const test = (name: string, fn: Body, ignore: boolean): void => {
    const scopes = [...stack];
    Deno.test({
      name: [...scopes.map((s) => s.name), name].join(" > "),
      ignore,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        for (const s of scopes) for (const b of s.before) await b();
        try {
          await fn();
        } finally {
          for (const s of [...scopes].reverse()) for (const a of s.after) await a();
        }
      },
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
    it: Object.assign((name: string, fn: Body) => test(name, fn, false), {
      skip: (name: string, fn: Body) => test(name, fn, true),
    }),
    expect,
    beforeEach(fn) {
      stack.at(-1)?.before.push(fn);
    },
    afterEach(fn) {
      stack.at(-1)?.after.push(fn);
    },
  };
}
