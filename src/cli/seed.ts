/**
 * The demo data of `botknobs serve` (`npm start`) and `npm run dev`: one bot and one knowledge base with two files,
 * ingested — seeded only into empty stores, so the README's `curl` examples answer at once.
 * @module
 */
import type { ServedApp } from "../server/index.ts";

/**
 * Seeds the demo bot and knowledge base when the registry and the knowledge store are both
 * empty; resolves true when it did.
 * @example
 * if (await seedDemo(services)) console.log("seeded");
 */
export async function seedDemo(
  services: Pick<ServedApp, "registry" | "knowledge" | "ingestion">,
): Promise<boolean> {
  const { registry, knowledge, ingestion } = services;
  const fresh = (await registry.count()) === 0 && (await knowledge.listKbs()).length === 0;
  if (!fresh) return false;
  await registry.register("support-bot", {
    llm: { provider: "anthropic", model: "claude-3-sonnet" },
    system_prompt: "You are a helpful support agent.",
    knowledge: { domain: "support" },
  });
  await knowledge.createKb("support", { metadata: { description: "Support docs" } });
  await knowledge.putFile(
    "support",
    "faq.md",
    "# FAQ\n\n## How do I reset my password?\n\nGo to settings, then Security, then Reset password.\n\n## How do I contact support?\n\nWrite to the help desk from the app.",
  );
  await knowledge.putFile(
    "support",
    "plans.json",
    JSON.stringify({
      title: "Plans",
      plans: [
        { name: "Free", description: "One bot, community support" },
        { name: "Team", description: "Ten bots, email support" },
      ],
    }),
  );
  await ingestion.ingest("support");
  return true;
}
