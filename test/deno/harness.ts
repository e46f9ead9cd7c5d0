// A describe/it harness over Deno.test, so the runner-agnostic suites run under `deno test`.
import type { TestHarness } from "../../src/testing/index.ts";

type Hook = () => Promise<void> | void;
interface Scope {
  name: string;
  before: Hook[];
  after: Hook[];
}

export function harness(expect: TestHarness["expect"]): TestHarness {
  const stack: Scope[] = [];
  return {
    describe(name, fn) {
      stack.push({ name, before: [], after: [] });
      try {
        fn();
      } finally {
        stack.pop();
      }
    },
    it(name, fn) {
      const scopes = [...stack];
      Deno.test({
        name: [...scopes.map((s) => s.name), name].join(" > "),
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
    },
    expect,
    beforeEach(fn) {
      stack.at(-1)?.before.push(fn);
    },
    afterEach(fn) {
      stack.at(-1)?.after.push(fn);
    },
  };
}
