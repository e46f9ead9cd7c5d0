/**
 * The runner-agnostic test harness the conformance suites take: pass Vitest's, `bun:test`'s or
 * any Jest-compatible `{ describe, it, expect, beforeEach, afterEach }`.
 * @module
 */

/** The subset of a Jest-style `expect` the suites use. */
export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toHaveLength(n: number): void;
  toContain(item: unknown): void;
  toMatch(pattern: RegExp | string): void;
  readonly not: Expectation;
}

/** Registers one test case. */
export type TestFn = (name: string, fn: () => Promise<void> | void, timeout?: number) => void;

/**
 * A test runner's `it`, with its `skip` (Vitest's, `bun:test`'s and Jest's `it.skip`; Deno's
 * `Deno.test({ ignore: true })`): a case a store cannot run is reported as skipped, never as passed.
 */
export type ItFn = TestFn & { skip: TestFn };

/** A test runner's globals. */
export interface TestHarness {
  describe(name: string, fn: () => void): void;
  it: ItFn;
  expect(actual: unknown): Expectation;
  beforeEach(fn: () => Promise<void> | void): void;
  afterEach(fn: () => Promise<void> | void): void;
}

/**
 * `it` when `missing` is false; otherwise a case registered as skipped, its name saying why
 * (`"… (skipped: <reason>)"`), so the runner's summary counts it as a skip.
 * @example
 * const itCas = itUnless(h, !store.capabilities.atomicWrites && "the store has no compare-and-set");
 */
export function itUnless(
  h: Pick<TestHarness, "it">,
  missing: string | false | null | undefined,
): TestFn {
  if (!missing) return h.it;
  return (name, fn, timeout) => h.it.skip(`${name} (skipped: ${missing})`, fn, timeout);
}

/** A controllable clock for TTL and timestamp cases (ms since the epoch). */
export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

/** A clock starting at 2026-01-01T00:00:00Z that moves only when told. */
export function fakeClock(start: number = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * Awaits `promise` and checks it rejects with an instance of `type` whose message contains
 * `messagePart`. Works with any runner (no `rejects` matcher needed).
 */
export async function expectRejects(
  h: Pick<TestHarness, "expect">,
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => unknown,
  messagePart?: string,
): Promise<unknown> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  h.expect(error === undefined ? "resolved" : (error as Error).name).not.toBe("resolved");
  h.expect(
    error instanceof type ? type.name : `${(error as Error)?.name}: ${(error as Error)?.message}`,
  ).toBe(type.name);
  if (messagePart !== undefined) h.expect((error as Error).message).toContain(messagePart);
  return error;
}

/** What `fn` throws (or what the promise rejects with); `undefined` when it does not. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What a promise rejects with; `undefined` when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Polls `predicate` until it holds or `timeoutMs` passes (for buses that deliver asynchronously). */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The cosine similarity of two vectors (for suites that check vector scores).
 * @example
 * cosine(new Float32Array([1, 0]), new Float32Array([1, 1])) // 0.707…
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The capabilities a suite gates its cases on, read when the cases are registered (before any
 * instance exists): `given`, when the options say them; otherwise those of an instance `create()`
 * makes synchronously (closed at once, never initialized); `undefined` when none can be made yet
 * (an async `create`, or one that needs what the tests set up later). The cases then check the
 * instance against what they assumed: a mismatch fails a case, never passes it.
 * @example
 * const caps = declaredCapabilities(options.capabilities, options.create) ?? { atomicWrites: true };
 */
export function declaredCapabilities<C>(
  given: C | undefined,
  create: () =>
    | Promise<{ capabilities: C; close(): Promise<void> }>
    | { capabilities: C; close(): Promise<void> },
): C | undefined {
  if (given) return given;
  let made: ReturnType<typeof create>;
  try {
    made = create();
  } catch {
    return undefined;
  }
  if (made instanceof Promise) {
    void made.then((m) => m.close()).catch(() => {});
    return undefined;
  }
  void made.close().catch(() => {});
  return made.capabilities;
}
