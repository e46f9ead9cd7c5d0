// Runs every runtime-agnostic suite under `deno test`, with a small describe/it harness over
// Deno.test and Jest's standalone `expect` (from npm).
import { expect } from "expect";
import { runAll } from "../conformance/all.ts";

type Hook = () => Promise<void> | void;
interface Scope {
  name: string;
  before: Hook[];
  after: Hook[];
}
const stack: Scope[] = [];

runAll(
  {
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
    expect: expect as never,
    beforeEach(fn) {
      stack.at(-1)?.before.push(fn);
    },
    afterEach(fn) {
      stack.at(-1)?.after.push(fn);
    },
  },
  "deno",
);
