/**
 * Source mutants: an adapter's own source with one bug put in by a text patch. `import("mutant:<id>")`
 * in a test (Vitest on Node or inside workerd, through {@link mutantPlugin}) loads the mutant's
 * entry module patched; the other modules it imports are the real ones, so errors, types and
 * helpers are shared with the rest of the test. Bundles built with esbuild (a Worker of mutant
 * Durable Objects) use {@link mutantEsbuildPlugin}. A patch whose text no longer occurs exactly
 * once fails loudly: the adapter changed, and the kit must follow it.
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { SOURCE_MUTANTS, type SourceMutant } from "./source-mutants.ts";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const QUERY = "?mutant=";

/** The mutant with `id`; an error naming the known ones when there is none. */
export function mutantById(id: string): SourceMutant {
  const found = SOURCE_MUTANTS.find((m) => m.id === id);
  if (!found)
    throw new Error(
      `no source mutant '${id}' (known: ${SOURCE_MUTANTS.map((m) => m.id).join(", ")})`,
    );
  return found;
}

/**
 * Why `mutant`'s patches no longer apply (the message of {@link applyPatches}), or null when
 * each anchor occurs exactly once.
 * @example
 * staleAnchor(mutantById("hub.seq-from-count")); // null
 */
export function staleAnchor(mutant: SourceMutant): string | null {
  for (const file of new Set(mutant.patches.map((p) => resolve(ROOT, p.file))))
    try {
      applyPatches(file, mutant);
    } catch (error) {
      return (error as Error).message;
    }
  return null;
}

/** The absolute path of a mutant's entry module, tagged with the mutant. */
export function mutantEntry(id: string): string {
  return `${resolve(ROOT, mutantById(id).entry)}${QUERY}${id}`;
}

/**
 * The text of `file` with every patch of mutant `id` for it applied, and its imports of the
 * mutant's other patched files (and of the files it goes `through` to them) pointed at their
 * patched versions.
 */
export function patchedSource(file: string, id: string): string {
  return applyPatches(file, mutantById(id));
}

/**
 * {@link patchedSource} for a mutant given whole (it need not be in the kit's list). A patch
 * whose text no longer occurs exactly once is an error naming the mutant, the file and the text
 * (its anchor).
 */
export function applyPatches(file: string, mutant: SourceMutant): string {
  const id = mutant.id;
  let text = readFileSync(file, "utf8");
  for (const patch of mutant.patches) {
    if (resolve(ROOT, patch.file) !== file) continue;
    const count = text.split(patch.find).length - 1;
    if (count !== 1) {
      const anchor = patch.find.length > 120 ? `${patch.find.slice(0, 117)}...` : patch.find;
      throw new Error(
        `mutant '${id}': its anchor ${JSON.stringify(anchor)} occurs ${count} times in ${patch.file} (expected once) — the adapter changed: update the mutant's patch in test/mutants/`,
      );
    }
    text = text.replace(patch.find, () => patch.replace);
  }
  const loaded = [...mutant.patches.map((p) => p.file), ...(mutant.through ?? [])];
  for (const other of new Set(loaded.map((f) => resolve(ROOT, f)))) {
    if (other === file) continue;
    let spec = relative(dirname(file), other);
    if (!spec.startsWith(".")) spec = `./${spec}`;
    text = text.replaceAll(`from "${spec}"`, `from "${spec}${QUERY}${id}"`);
  }
  return text;
}

/**
 * The Vite plugin (Vitest's Node and workerd projects): `mutant:<id>` resolves to the mutant's
 * entry, and a module tagged `?mutant=<id>` loads patched.
 * @example
 * const { KVRecordStore } = await import("mutant:kv.delete-keeps-access");
 */
export function mutantPlugin(): {
  name: string;
  enforce: "pre";
  resolveId(source: string): string | undefined;
  load(id: string): string | undefined;
} {
  return {
    name: "botknobs-mutants",
    enforce: "pre",
    resolveId: (source) =>
      source.startsWith("mutant:") ? mutantEntry(source.slice(7)) : undefined,
    load: (id) => {
      const at = id.indexOf(QUERY);
      if (at < 0) return undefined;
      return patchedSource(id.slice(0, at), id.slice(at + QUERY.length));
    },
  };
}

/**
 * The same for esbuild: an entry importing `mutant:<id>` gets the patched module.
 * @example
 * await build({ entryPoints: ["hub-mutants.ts"], bundle: true, plugins: [mutantEsbuildPlugin()] });
 */
export function mutantEsbuildPlugin(): {
  name: string;
  setup(build: {
    onResolve(
      o: { filter: RegExp },
      f: (a: { path: string; importer: string }) => { path: string; namespace: string } | undefined,
    ): void;
    onLoad(
      o: { filter: RegExp; namespace: string },
      f: (a: { path: string }) => { contents: string; loader: "ts"; resolveDir: string },
    ): void;
  }): void;
} {
  return {
    name: "botknobs-mutants",
    setup(build) {
      build.onResolve({ filter: /^mutant:|\?mutant=/ }, ({ path, importer }) => {
        if (path.startsWith("mutant:"))
          return { path: mutantEntry(path.slice(7)), namespace: "mutant" };
        const at = path.indexOf(QUERY);
        const file = resolve(dirname(importer.split(QUERY)[0] as string), path.slice(0, at));
        return { path: `${file}${path.slice(at)}`, namespace: "mutant" };
      });
      build.onLoad({ filter: /.*/, namespace: "mutant" }, ({ path }) => {
        const at = path.indexOf(QUERY);
        const file = path.slice(0, at);
        return {
          contents: patchedSource(file, path.slice(at + QUERY.length)),
          loader: "ts",
          resolveDir: dirname(file),
        };
      });
    },
  };
}
