// Validation as you type, against the server's own schema: the request bodies of
// `/openapi.json` are JSON Schema generated from the zod schemas the routes validate with, so
// checking an edit against them says what the server would answer before it is sent. The subset
// of keywords those documents use is checked; the server's 400 stays the last word.

/** A JSON Schema (the keywords the API's document uses). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
}

/** One finding: where (`config.llm`, or `(body)`) and what. */
export interface Issue {
  path: string;
  message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

/**
 * The issues of `value` against `schema` (`[]` when valid); `$ref`s resolve in `components`.
 * @example
 * validate({ type: "object", required: ["config"] }, {}, {}); // [{ path: "(body)", message: "config is required" }]
 */
export function validate(
  schema: Schema,
  value: unknown,
  components: Record<string, Schema>,
  path = "",
): Issue[] {
  if (schema.$ref) {
    const target = components[schema.$ref.split("/").pop() as string];
    return target ? validate(target, value, components, path) : [];
  }
  const at = path || "(body)";
  const issue = (message: string): Issue[] => [{ path: at, message }];
  if (schema.anyOf) {
    const all = schema.anyOf.map((s) => validate(s, value, components, path));
    return all.some((found) => found.length === 0) ? [] : (all[0] ?? []);
  }
  const actual = typeOf(value);
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.length > 0 && !types.some((t) => typeMatches(t, actual)))
    return issue(`expected ${types.join(" or ")}, got ${actual}`);
  if (schema.enum && !schema.enum.includes(value))
    return issue(`expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (schema.const !== undefined && schema.const !== value)
    return issue(`expected ${JSON.stringify(schema.const)}`);
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return issue(`at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return issue(`at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      return issue(`does not match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      return issue(`at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      return issue(`at most ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    return value.flatMap((v, i) => validate(items, v, components, `${path}[${i}]`));
  }
  if (actual !== "object") return [];
  const object = value as Record<string, unknown>;
  const found: Issue[] = [];
  for (const name of schema.required ?? [])
    if (!(name in object)) found.push({ path: at, message: `${name} is required` });
  for (const [name, v] of Object.entries(object)) {
    const child = path ? `${path}.${name}` : name;
    const known = schema.properties?.[name];
    if (known) found.push(...validate(known, v, components, child));
    else if (schema.additionalProperties === false)
      found.push({ path: child, message: "not allowed here (unknown field)" });
    else if (typeof schema.additionalProperties === "object")
      found.push(...validate(schema.additionalProperties, v, components, child));
  }
  return found;
}

/**
 * Parses JSON text, or says where it fails (line and column, from the parser's message).
 * @example
 * parseJson('{"a":'); // { error: "line 1, column 6: Unexpected end of JSON input" }
 */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (!position) return { error: message };
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return { error: `line ${line}, column ${column}: ${message}` };
  }
}
