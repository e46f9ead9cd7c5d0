/** The seed's complete examples, run as tests on every runtime. */
import { main as botManager } from "../../examples/bot-manager.ts";
import type { TestHarness } from "../../src/testing/index.ts";

export function exampleSuite(h: TestHarness, runtime: string): void {
  h.describe(`examples (${runtime})`, () => {
    h.it("bot-manager - the bot after the update event runs the new model (C7)", async () => {
      const lines = await botManager(() => {});
      h.expect(lines[1]).toBe("Bot support-bot (claude-3-sonnet) received: Hello!");
      h.expect(lines[3]).toBe("Bot support-bot (claude-3-opus) received: Hello again!");
    });
  });
}
