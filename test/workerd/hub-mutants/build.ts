/**
 * Builds the Worker of the Durable Object hub's source mutants (vitest.config.ts binds its
 * classes in the workerd tests). A mutant whose patch no longer applies (the hub's source changed
 * at its anchor) does not stop the build: the Worker exports a placeholder class for it that
 * throws why, and `stale` names it, so only that mutant's test fails — with the message naming
 * the mutant and its anchor — and every other workerd test file starts.
 */
import { type BuildOptions, build } from "esbuild";
import { mutantEsbuildPlugin, staleAnchor } from "../../mutants/patch.ts";
import { SOURCE_MUTANTS, type SourceMutant } from "../../mutants/source-mutants.ts";
import { HUB_REAL_BINDING, hubBindings, hubMutantClass } from "./bindings.ts";

/** How the workerd tests' extra Workers are bundled (esbuild): one ES module, no Node. */
export const WORKER_BUNDLE: BuildOptions & { write: false } = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  write: false,
  logLevel: "silent",
};

/** The Worker (miniflare's options), the bindings of its classes, and the stale mutants. */
export interface HubMutantsWorker {
  worker: {
    name: string;
    modules: true;
    script: string;
    compatibilityDate: string;
    durableObjects: Record<string, { className: string; useSQLite: true }>;
  };
  bindings: Record<string, { className: string; scriptName: string }>;
  /** Why each stale mutant's patch does not apply, by id. */
  stale: Record<string, string>;
}

/**
 * The Worker's source: each mutant's patched `EventHub` under its class name (a placeholder that
 * throws for a stale one), and the real one.
 */
function entry(bindings: Record<string, string>, stale: Record<string, string>): string {
  const lines = Object.entries(bindings).map(([id, binding]) => {
    const name = hubMutantClass(binding);
    const why = stale[id];
    return why === undefined
      ? `export { EventHub as ${name} } from "mutant:${id}";`
      : `export class ${name} { constructor() { throw new Error(${JSON.stringify(why)}); } }`;
  });
  lines.push(
    `export { EventHub as ${hubMutantClass(HUB_REAL_BINDING)} } from "./src/adapters/durable-object/durable-object-hub.ts";`,
  );
  return `${lines.join("\n")}\nexport default { fetch: () => new Response("hub mutants") };\n`;
}

/**
 * Builds the Worker of the hub mutants of `mutants` (default: the kit's).
 * @example
 * const { worker, bindings, stale } = await buildHubMutants();
 */
export async function buildHubMutants(
  mutants: readonly SourceMutant[] = SOURCE_MUTANTS,
): Promise<HubMutantsWorker> {
  const byId = hubBindings(mutants);
  const stale: Record<string, string> = {};
  for (const m of mutants) {
    const why = m.id in byId ? staleAnchor(m) : null;
    if (why !== null) stale[m.id] = why;
  }
  const bundle = await build({
    ...WORKER_BUNDLE,
    stdin: { contents: entry(byId, stale), resolveDir: process.cwd(), loader: "ts" },
    plugins: [mutantEsbuildPlugin()],
  });
  const classes = [...Object.values(byId), HUB_REAL_BINDING].map(
    (b) => [b, hubMutantClass(b)] as const,
  );
  return {
    worker: {
      name: "hub-mutants",
      modules: true,
      script: bundle.outputFiles[0]?.text ?? "",
      compatibilityDate: "2026-04-01",
      durableObjects: Object.fromEntries(
        classes.map(([b, className]) => [b, { className, useSQLite: true as const }]),
      ),
    },
    bindings: Object.fromEntries(
      classes.map(([b, className]) => [b, { className, scriptName: "hub-mutants" }]),
    ),
    stale,
  };
}
