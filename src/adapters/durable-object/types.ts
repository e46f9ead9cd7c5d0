/**
 * The structural subset of the Durable Object binding the event bus and the hub's routes use:
 * `DurableObjectNamespace` of `@cloudflare/workers-types` fits (`test/workerd/binding-types.test.ts`).
 * @module
 */

/**
 * One hub object's stub: what `namespace.get(id)` returns (its `fetch`). Typed loosely so that
 * workers-types' stub (whose `Request` is not the DOM's) fits; it is called with a `Request`.
 */
export interface EventHubStub {
  fetch(request: never): Promise<unknown>;
}

/**
 * The Durable Object namespace binding of the hub (`env.EVENTS`), structurally: a
 * `DurableObjectNamespace` from `@cloudflare/workers-types` fits.
 */
export interface EventHubNamespace {
  idFromName(name: string): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: the id type is the runtime's own.
  get(id: any): EventHubStub;
}
