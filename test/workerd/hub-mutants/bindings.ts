/**
 * The Durable Object hub's source mutants as Durable Object classes: vitest.config.ts builds a
 * Worker exporting each (the hub's source patched: test/mutants/patch.ts; `build.ts`) and binds
 * it in the workerd tests under its own name, which adapter-mutants.test.ts looks up here.
 */
import { SOURCE_MUTANTS, type SourceMutant } from "../../mutants/source-mutants.ts";

/**
 * Each hub mutant of `mutants` by id, with its binding name (`HUB_MUTANT_<n>`).
 * @example
 * hubBindings(SOURCE_MUTANTS)["hub.seq-from-count"]; // "HUB_MUTANT_1"
 */
export function hubBindings(mutants: readonly SourceMutant[]): Record<string, string> {
  return Object.fromEntries(
    mutants
      .filter((m) => m.adapter === "Durable Object hub")
      .map((m, i) => [m.id, `HUB_MUTANT_${i}`]),
  );
}

/** Each hub mutant's binding name, by mutant id. */
export const HUB_MUTANT_BINDINGS: Record<string, string> = hubBindings(SOURCE_MUTANTS);

/** The real hub, exported by the same Worker: the control the mutants are compared with. */
export const HUB_REAL_BINDING = "HUB_MUTANT_REAL";

/**
 * The binding of a JSON text `{ [mutant id]: why }` naming the hub mutants whose patches no longer
 * apply: the Worker exports a placeholder for each (it throws that message), and their tests
 * fail with it, the others' run.
 */
export const HUB_STALE_BINDING = "HUB_MUTANTS_STALE";

/** The class the Worker exports for a binding (`HUB_MUTANT_0` → `HubMutant0`). */
export const hubMutantClass = (binding: string): string =>
  binding.replace("HUB_MUTANT_", "HubMutant");
