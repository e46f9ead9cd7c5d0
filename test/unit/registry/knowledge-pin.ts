/**
 * Unit cases of `src/core/registry/knowledge-pin.ts`: a bot's knowledge pinned with its config
 * (`knowledge_pin: { kb, revision }`) — checked on every registry write — and what it buys
 * through the library: the instance a caching manager builds for a version (by label, after a
 * rollback) searches the knowledge base as of that version's revision, until the index history
 * cuts it (`RevisionGoneError`).
 */
import {
  BlobSearchIndex,
  CachingRegistryManager,
  InMemoryBackend,
  InMemoryKnowledgeBackend,
  type JsonObject,
  KnowledgeIngestionManager,
  type KnowledgeView,
  knowledgePinOf,
  MemoryBlobStore,
  RAGKnowledgeBase,
  RevisionGoneError,
  ValidationError,
} from "../../../src/index.ts";
import { expectRejects, type TestHarness, thrown } from "../../../src/testing/index.ts";

/** A bot instance: its config and the knowledge it searches (null: it pins none). */
interface Bot {
  config: JsonObject;
  knowledge: KnowledgeView | null;
}

/** Builds each bot with the knowledge its version pins. */
class PinnedBots extends CachingRegistryManager<Bot> {
  readonly #rag: RAGKnowledgeBase;
  constructor(backend: InMemoryBackend, rag: RAGKnowledgeBase) {
    super({ backend, cacheTtl: 3600 });
    this.#rag = rag;
  }
  protected createInstance(_id: string, config: JsonObject): Bot {
    const pin = knowledgePinOf(config);
    return { config, knowledge: pin ? this.#rag.view(pin) : null };
  }
}

export function knowledgePinUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  async function setup(keepRevisions = 10) {
    const source = new InMemoryKnowledgeBackend();
    await source.createKb("support");
    const rag = new RAGKnowledgeBase({
      index: new BlobSearchIndex({ store: new MemoryBlobStore(), keepRevisions }),
    });
    const ingestion = new KnowledgeIngestionManager({ source, destination: rag });
    /** Replaces the knowledge base's one file and ingests it: the revision made. */
    const publish = async (text: string): Promise<string> => {
      await source.putFile("support", "faq.md", `# FAQ\n\n${text}`);
      return (await ingestion.ingest("support")).revision as string;
    };
    return { rag, publish };
  }
  const answers = async (bot: Bot, q: string): Promise<string[]> =>
    ((await bot.knowledge?.search(q, { k: 3 })) ?? []).map((r) => r.text);

  describe(`knowledge pinned with a bot's config (${runtime})`, () => {
    it("knowledgePinOf - null without one; { kb, revision } checked, naming the field", () => {
      expect(knowledgePinOf({ llm: "x" })).toBeNull();
      expect(knowledgePinOf({ knowledge_pin: { kb: "support", revision: "r1" } })).toEqual({
        kb: "support",
        revision: "r1",
      });
      const cases: [unknown, string][] = [
        ["support", "config.knowledge_pin"],
        [{ kb: "support" }, "config.knowledge_pin.revision"],
        [{ kb: "a/b", revision: "r" }, "config.knowledge_pin.kb"],
        [{ kb: "a", revision: "" }, "config.knowledge_pin.revision"],
        [{ kb: "a", revision: "r".repeat(201) }, "config.knowledge_pin.revision"],
        [{ kb: "a", revision: "r", at: 1 }, "config.knowledge_pin.at"],
      ];
      for (const [pin, field] of cases) {
        const error = thrown(() => knowledgePinOf({ knowledge_pin: pin as JsonObject }));
        expect(error instanceof ValidationError).toBe(true);
        expect((error as ValidationError).message).toContain(`Invalid ${field}`);
      }
    });

    it("a registry write with a malformed pin is refused and writes nothing", async () => {
      const backend = new InMemoryBackend();
      await expectRejects(
        h,
        backend.register("bot", { knowledge_pin: { kb: "support", revision: 7 } }),
        ValidationError,
        "config.knowledge_pin.revision",
      );
      expect(await backend.peek("bot")).toBeNull();
      await backend.register("bot", { knowledge_pin: { kb: "support", revision: "r1" } });
      await expectRejects(h, backend.update("bot", { knowledge_pin: [] }), ValidationError);
      expect((await backend.peek("bot"))?.version).toBe(1);
    });

    it("the manager's instance of a version searches as of its pin: by label, and after a rollback", async () => {
      const { rag, publish } = await setup();
      const r1 = await publish("Reset your password from the sign-in page.");
      const backend = new InMemoryBackend();
      await backend.register("bot", { model: "a", knowledge_pin: { kb: "support", revision: r1 } });
      await backend.setLabel("bot", "stable", { version: 1 });
      const r2 = await publish("Passwords are reset by the help desk only.");
      await backend.update("bot", { model: "b", knowledge_pin: { kb: "support", revision: r2 } });
      const manager = new PinnedBots(backend, rag);
      await manager.initialize();
      const latest = await manager.getOrCreate("bot");
      const stable = await manager.getOrCreate("bot", { label: "stable" });
      expect(latest.knowledge?.revision).toBe(r2);
      expect(await answers(latest, "password reset")).toEqual([
        "Passwords are reset by the help desk only.",
      ]);
      expect(await answers(stable, "password reset")).toEqual([
        "Reset your password from the sign-in page.",
      ]);
      // Rolling back rolls the knowledge view back with the config.
      await backend.rollback("bot", 1);
      await manager.invalidate("bot");
      const rolledBack = await manager.getOrCreate("bot");
      expect(rolledBack.knowledge?.revision).toBe(r1);
      expect(await answers(rolledBack, "password reset")).toEqual([
        "Reset your password from the sign-in page.",
      ]);
      await manager.close();
    });

    it("a pin the index history no longer keeps is a RevisionGoneError naming it; one it never had, a ValidationError", async () => {
      const { rag, publish } = await setup(2);
      const r1 = await publish("Walruses bask on the ice.");
      const view = rag.view({ kb: "support", revision: r1 });
      expect((await view.search("walruses")).map((r) => r.source)).toEqual(["faq.md"]);
      await publish("Penguins huddle in the snow.");
      expect((await view.search("walruses")).map((r) => r.source)).toEqual(["faq.md"]);
      await publish("Gulls steal chips.");
      const error = await expectRejects(h, view.search("walruses"), RevisionGoneError, r1);
      expect((error as RevisionGoneError).domainId).toBe("support");
      await expectRejects(
        h,
        rag.view({ kb: "support", revision: "never" }).search("gulls"),
        ValidationError,
        "'never' is not a revision of knowledge base 'support'",
      );
      await expectRejects(
        h,
        rag.query("gulls", { revision: r1 }),
        ValidationError,
        "filter.domain_id",
      );
    });
  });
}
