/**
 * The Durable Object hub's source mutants as Durable Object classes: vitest.config.ts builds a
 * Worker exporting each (the hub's source patched: test/mutants/patch.ts) and binds it in the
 * workerd tests under its own name, which adapter-mutants.test.ts looks up here.
 */
import { SOURCE_MUTANTS } from "../../mutants/source-mutants.ts";

/** Each hub mutant's binding name, by mutant id. */
export const HUB_MUTANT_BINDINGS: Record<string, string> = Object.fromEntries(
  SOURCE_MUTANTS.filter((m) => m.adapter === "Durable Object hub").map((m, i) => [
    m.id,
    `HUB_MUTANT_${i}`,
  ]),
);

/** The real hub, exported by the same Worker: the control the mutants are compared with. */
export const HUB_REAL_BINDING = "HUB_MUTANT_REAL";

/** The class the Worker exports for a binding (`HUB_MUTANT_0` → `HubMutant0`). */
export const hubMutantClass = (binding: string): string =>
  binding.replace("HUB_MUTANT_", "HubMutant");

/**
 * The Worker's source: each mutant's patched `EventHub` under its class name, and the real one.
 * @example
 * await build({ stdin: { contents: hubMutantsEntry(), resolveDir: root, loader: "ts" }, plugins: [mutantEsbuildPlugin()] });
 */
export function hubMutantsEntry(): string {
  const lines = Object.entries(HUB_MUTANT_BINDINGS).map(
    ([id, binding]) => `export { EventHub as ${hubMutantClass(binding)} } from "mutant:${id}";`,
  );
  lines.push(
    `export { EventHub as ${hubMutantClass(HUB_REAL_BINDING)} } from "./src/adapters/durable-object/durable-object-hub.ts";`,
  );
  return `${lines.join("\n")}\nexport default { fetch: () => new Response("hub mutants") };\n`;
}
