/** Unit cases of `src/core/portability.ts`. Run on every runtime by `test/unit/all.ts`. */
import {
  hasResourceReferences,
  isPortable,
  PortabilityError,
  validatePortability,
} from "../../src/index.ts";
import { type TestHarness, thrown } from "../../src/testing/index.ts";

/** Registers the cases with `h`. */
export function portabilityUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`portability (${runtime})`, () => {
    it("flags resolved local values", () => {
      const cases: [unknown, string][] = [
        [{ path: "/Users/developer/data/vectors" }, "macOS home directory: '/Users/developer'"],
        [{ path: "/home/user/data" }, "Linux home directory: '/home/user'"],
        [{ path: "C:\\Users\\developer\\data" }, "Windows home directory"],
        [{ url: "http://localhost:8080/api" }, "localhost with port: 'localhost:8080'"],
        [{ host: "127.0.0.1" }, "localhost IP"],
        [{ bind: "0.0.0.0" }, "all interfaces IP"],
        [{ nested: { list: [{ p: "/home/José/x" }] } }, "/home/José"],
      ];
      for (const [config, part] of cases) {
        const e = thrown(() => validatePortability(config)) as PortabilityError;
        expect(e instanceof PortabilityError).toBe(true);
        expect(e.message).toContain(part);
        expect(e.message).toContain("$resource");
        expect(e.message).toContain("Issues found");
        expect(isPortable(config)).toBe(false);
      }
    });

    it("accepts portable values", () => {
      for (const config of [
        { path: "./data/vectors" },
        { path: "/var/data/app" },
        { url: "${DATABASE_URL}" },
        { path: "${DATA_PATH:/default/path}" },
        { home: "${HOME}/home/user/x" },
        { host: "localhost" },
      ]) {
        expect(validatePortability(config)).toEqual([]);
        expect(isPortable(config)).toBe(true);
      }
    });

    it("raiseOnError false returns the issues; resource references make a config portable", () => {
      expect(
        validatePortability({ a: "/Users/dev", b: "127.0.0.1" }, { raiseOnError: false }),
      ).toHaveLength(2);
      expect(hasResourceReferences({ db: { $resource: "x" } })).toBe(true);
      expect(hasResourceReferences({ note: "mentions $resource" })).toBe(true);
      expect(hasResourceReferences({ a: 1 })).toBe(false);
      expect(isPortable({ db: { $resource: "x" }, p: "/Users/dev" })).toBe(true);
    });
  });
}
