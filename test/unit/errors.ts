/**
 * Unit cases of `src/core/errors.ts`: the error classes, branded across bundles. Run on every
 * runtime by `test/unit/all.ts`.
 */
import { BotknobsError, ConflictError, NotFoundError, ValidationError } from "../../src/index.ts";
import type { TestHarness } from "../../src/testing/index.ts";

/** Registers the cases with `h`. */
export function errorsUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`errors (${runtime})`, () => {
    it("branded - instanceof holds for the class and its bases, not siblings", () => {
      const e = new NotFoundError("Bot 'x' not found");
      expect(e instanceof NotFoundError).toBe(true);
      expect(e instanceof BotknobsError).toBe(true);
      expect(e instanceof Error).toBe(true);
      expect(e instanceof ConflictError).toBe(false);
      expect([e.name, e.code]).toEqual(["NotFoundError", "NOT_FOUND"]);
    });

    it("branded - a copy from another bundle is still recognised", () => {
      const foreign = Object.create(Error.prototype, {
        [Symbol.for("botknobs.error")]: { value: ["ValidationError", "BotknobsError"] },
      });
      expect(foreign instanceof ValidationError).toBe(true);
      expect(foreign instanceof NotFoundError).toBe(false);
    });

    it("cause - is passed on", () => {
      const cause = new Error("root");
      expect(new ValidationError("bad", [], { cause }).cause).toBe(cause);
    });
  });
}
