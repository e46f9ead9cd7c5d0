// The Worker of the Durable Object hub's mutants (vitest.config.ts builds it before any workerd
// test file starts): a mutant whose anchor went stale — the hub's source changed at a patched
// spot — fails alone, with a message naming it and its anchor; the Worker still builds, and every
// other mutant (and so every workerd test file) is unaffected.
import { describe, expect, it } from "vitest";
import { SOURCE_MUTANTS, type SourceMutant } from "../mutants/source-mutants.ts";
import {
  HUB_MUTANT_BINDINGS,
  hubBindings,
  hubMutantClass,
} from "../workerd/hub-mutants/bindings.ts";
import { buildHubMutants } from "../workerd/hub-mutants/build.ts";

const hubs = SOURCE_MUTANTS.filter((m) => m.adapter === "Durable Object hub");

describe("the hub mutants' Worker", () => {
  it("builds every hub mutant of the kit; none is stale", async () => {
    const built = await buildHubMutants();
    expect(built.stale).toEqual({});
    for (const binding of Object.values(HUB_MUTANT_BINDINGS))
      expect(built.worker.script).toContain(`as ${hubMutantClass(binding)}`);
  }, 60_000);

  it("a stale anchor fails only its mutant, naming the mutant and the anchor; the Worker builds", async () => {
    const real = hubs[0] as SourceMutant;
    const stale: SourceMutant = {
      ...real,
      id: "hub.anchor-gone",
      patches: [
        { ...(real.patches[0] as SourceMutant["patches"][number]), find: "this.#seqq = 0;" },
      ],
    };
    const built = await buildHubMutants([...hubs, stale]);
    expect(Object.keys(built.stale)).toEqual(["hub.anchor-gone"]);
    const why = built.stale["hub.anchor-gone"] as string;
    expect(why).toContain("mutant 'hub.anchor-gone'");
    expect(why).toContain(JSON.stringify("this.#seqq = 0;"));
    expect(why).toContain("src/adapters/durable-object/durable-object-hub.ts");
    // Its class is a placeholder that throws why; the others are the patched hubs, as before.
    const names = hubBindings([...hubs, stale]);
    const placeholder = hubMutantClass(names["hub.anchor-gone"] as string);
    expect(built.worker.script).toMatch(
      new RegExp(`\\b${placeholder} = class\\b|class ${placeholder}\\b`),
    );
    expect(built.worker.script).toContain("throw new Error(`mutant 'hub.anchor-gone': its anchor");
    expect(Object.keys(built.bindings)).toContain(names["hub.anchor-gone"]);
    for (const m of hubs)
      expect(built.worker.script).toContain(`as ${hubMutantClass(names[m.id] as string)}`);
  }, 60_000);
});
