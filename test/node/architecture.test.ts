// The shape the code keeps, checked on every run:
// - code outside src/server (adapters, the Worker, scripts) reaches the server only through its
//   public entry, src/server/index.ts (`botknobs/server`);
// - no circle of files: following static imports from any file of src/ or worker/ never comes back
//   to it (type-only imports included: a circle of types still ties two files together);
// - each adapter folder has one shape: index.ts (re-exports only, with a @module header), files
//   named after the folder (`<backend>-*.ts`) plus types.ts;
// - each adapter folder is run through the conformance umbrella for every port it implements.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Static import/export specifiers (dynamic `import()` is a lazy edge and left out). */
export function staticImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const re = /(?:^|\n|;)\s*(?:import|export)\s(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']/g;
  return [...code.matchAll(re)].map((m) => m[1] as string);
}

/** Relative imports of a file, resolved to absolute paths. */
function localImports(file: string): string[] {
  return staticImports(readFileSync(file, "utf8"))
    .filter((s) => s.startsWith("."))
    .map((s) => resolve(dirname(file), s));
}

/** The circles of a graph (each reported once, from its first file in path order). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

/** Which ports of {@link conformance} the classes of a source file implement. */
export function portsOf(source: string): string[] {
  const found: string[] = [];
  const table: [RegExp, string][] = [
    [/\bimplements\s+RecordStore\b/, "recordStore"],
    [/\bimplements\s+BlobStore\b/, "blobStore"],
    [/\bimplements\s+VectorStore\b/, "vectorStore"],
    [/\bimplements\s+EmbeddingProvider\b/, "embeddingProvider"],
    [
      /\bimplements\s+KnowledgeResourceBackend\b|\bextends\s+BlobKnowledgeBackend\b/,
      "knowledgeBackend",
    ],
    [/\bimplements\s+SearchIndex\b/, "searchIndex"],
    [/\bimplements\s+RegistryBackend\b|\bextends\s+RegistryBackendBase\b/, "registryBackend"],
    [/\bimplements\s+EventBus\b|\bextends\s+\w*EventBus\b/, "eventBus"],
  ];
  for (const [pattern, port] of table) if (pattern.test(source)) found.push(port);
  return found;
}

const sources = [...files(join(root, "src")), ...files(join(root, "worker"))];
const server = join(root, "src/server");

describe("architecture", () => {
  it("outside src/server, code imports the server only through src/server/index.ts", () => {
    const outside = [...sources, ...files(join(root, "scripts"))].filter(
      (f) => !f.startsWith(`${server}/`),
    );
    const bad: string[] = [];
    for (const file of outside)
      for (const target of localImports(file))
        if (target.startsWith(`${server}/`) && target !== join(server, "index.ts"))
          bad.push(`${relative(root, file)} imports ${relative(root, target)}`);
    expect(bad).toEqual([]);
  });

  it("no circle of files in src/ and worker/", () => {
    const graph = new Map(sources.map((f) => [f, localImports(f)]));
    const circles = cycles(graph).map((c) => c.map((f) => relative(root, f)).join(" → "));
    expect(circles).toEqual([]);
  });

  it("every adapter folder has the one shape", () => {
    const adapters = join(root, "src/adapters");
    const bad: string[] = [];
    for (const backend of readdirSync(adapters)) {
      const dir = join(adapters, backend);
      const names = readdirSync(dir);
      if (!names.includes("index.ts")) bad.push(`${backend}: no index.ts`);
      const index = readFileSync(join(dir, "index.ts"), "utf8");
      if (!index.includes("@module")) bad.push(`${backend}/index.ts: no @module header`);
      const statements = index
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const s of statements)
        if (!/^export\s/.test(s) || !/\sfrom\s*"/.test(s))
          bad.push(`${backend}/index.ts: not a re-export: ${s.slice(0, 60)}`);
      for (const name of names)
        if (name !== "index.ts" && name !== "types.ts" && !name.startsWith(`${backend}-`))
          bad.push(`${backend}/${name}: expected ${backend}-<name>.ts or types.ts`);
    }
    expect(bad).toEqual([]);
  });

  it("every adapter folder runs conformance() for every port it implements", () => {
    const adapters = join(root, "src/adapters");
    const tests = files(join(root, "test")).map((f) => [f, readFileSync(f, "utf8")] as const);
    const bad: string[] = [];
    let checked = 0;
    for (const backend of readdirSync(adapters)) {
      const ports = new Set<string>();
      for (const file of files(join(adapters, backend)))
        for (const port of portsOf(readFileSync(file, "utf8"))) ports.add(port);
      const runs = tests.filter(
        ([, text]) =>
          text.includes("conformance(") &&
          new RegExp(`src/adapters/${backend}/[\\w.-]+\\.ts"`).test(text),
      );
      for (const port of ports) {
        checked++;
        if (!runs.some(([, text]) => new RegExp(`\\b${port}:\\s*\\{`).test(text)))
          bad.push(`${backend}: no test runs conformance() with ${port}`);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
    expect(bad).toEqual([]);
  });

  it("the checks themselves find an import, a circle and a lazy edge", () => {
    expect(
      portsOf(
        "export class A implements RecordStore {}\nexport class B extends WebSocketEventBus {}\nclass C implements RawRequest {}",
      ),
    ).toEqual(["recordStore", "eventBus"]);
    expect(
      staticImports(
        'import { a } from "./a.ts";\nexport * from "./b.ts";\nimport type { C } from "./c.ts";\nconst d = await import("./d.ts");\n// import { e } from "./e.ts";',
      ),
    ).toEqual(["./a.ts", "./b.ts", "./c.ts"]);
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c", "a"]]);
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });
});
