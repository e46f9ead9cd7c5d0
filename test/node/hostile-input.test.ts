// Hostile input on Node through app.fetch (the same cases run inside workerd:
// test/workerd/hostile-input.test.ts), plus the core's own JSON rules for library callers.
import { describe, expect, it } from "vitest";
import { validateJsonObject } from "../../src/core/validate.ts";
import { ValidationError } from "../../src/index.ts";
import { hostileCases } from "../fixtures/hostile-cases.ts";

describe("hostile input (Node)", () => {
  hostileCases(it, expect);
});

describe("validateJsonObject", () => {
  it("refuses a config nested deeper than the limit with a ValidationError", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(() => validateJsonObject({ deep })).toThrow(ValidationError);
    expect(() => validateJsonObject({ deep })).toThrow(/nested deeper than/);
  });

  it("refuses a __proto__ own key anywhere, naming it", () => {
    const config = JSON.parse('{"llm":{"__proto__":{"polluted":true}}}') as unknown;
    expect(() => validateJsonObject(config)).toThrow(/config\.llm\.__proto__/);
  });
});
