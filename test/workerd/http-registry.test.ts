// The RegistryBackend conformance suite against HTTPRegistryBackend whose `fetch` calls the
// app directly: the whole API (routing, validation, preconditions) runs inside workerd.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HTTPRegistryBackend } from "../../src/core/registry/http-backend.ts";
import { InMemoryBackend } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { registryBackendSuite } from "../../src/testing/index.ts";

registryBackendSuite(
  { describe, it, expect, beforeEach, afterEach },
  {
    name: "HTTPRegistryBackend → createApp inside workerd",
    // The server records the token's name as the actor (the backend refuses to name one, and
    // sends a reason alone): the cases that name actors skip, the label and audit cases expect it.
    capabilities: { writeContext: false, tokenActor: "token-1" },
    create({ now, eventBus, historyLimit }) {
      const app = createApp({
        registry: new InMemoryBackend({ now, eventBus, historyLimit }),
        auth: { tokens: ["t0ken"], readOnlyTokens: ["reader"] },
      });
      return new HTTPRegistryBackend({
        baseUrl: "http://botknobs.test",
        authToken: "t0ken",
        fetch: async (input, init) => app.fetch(new Request(input, init)),
      });
    },
  },
);

describe("HTTP API inside workerd", () => {
  it("a read-only token reads but cannot write", async () => {
    const app = createApp({
      registry: new InMemoryBackend(),
      auth: { tokens: ["t0ken"], readOnlyTokens: ["reader"] },
    });
    const reader = new HTTPRegistryBackend({
      baseUrl: "http://botknobs.test",
      authToken: "reader",
      fetch: async (input, init) => app.fetch(new Request(input, init)),
    });
    expect(await reader.listAll()).toEqual([]);
    const error = await reader.register("bot-1", {}).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(403);
  });
});
