// The config editor: the body of `PUT /bots/{id}` (config, status, metadata) as JSON, checked as
// you type — first that it parses, then against the server's own `PutBot` schema from
// /openapi.json — and saved with an If-Match of the version it was opened at, so a change made
// elsewhere meanwhile is a 412 to resolve, not a silent overwrite.
import { api, explain, seg } from "./api.ts";
import { field, fill, h, statusLine } from "./dom.ts";
import { parseJson, type Schema, validate } from "./schema.ts";
import type { Registration, SectionHooks } from "./types.ts";

/** The editor's text for a bot (or a new one). */
export function bodyText(bot: Registration | null): string {
  const body = bot
    ? { config: bot.config, status: bot.status, metadata: bot.metadata }
    : { config: {} };
  return JSON.stringify(body, null, 2);
}

/**
 * The editor section; `dirty()` tells whether the text differs from what was loaded.
 * @example
 * const editor = editorSection(id, bot, schemas, hooks);
 */
export function editorSection(
  id: string,
  bot: Registration | null,
  schemas: Record<string, Schema> | null,
  hooks: SectionHooks,
): HTMLFormElement & { dirty(): boolean } {
  const original = bodyText(bot);
  const area = h("textarea", {
    name: "body",
    rows: 16,
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "editor-issues",
    value: original,
  });
  const reason = h("input", { name: "reason", autocomplete: "off", maxlength: 1024 });
  const issues = h("ul", { id: "editor-issues", class: "issues", "aria-live": "polite" });
  const save = h("button", { type: "submit", class: "primary" }, bot ? "Save" : "Create");
  const status = statusLine();
  if (hooks.said) status.say(hooks.said, "ok");

  const check = (): unknown | undefined => {
    const parsed = parseJson(area.value);
    const found =
      "error" in parsed
        ? [{ path: "JSON", message: parsed.error }]
        : schemas?.PutBot
          ? validate(schemas.PutBot, withReason(parsed.value), schemas)
          : [];
    const ok = found.length === 0;
    area.setAttribute("aria-invalid", ok ? "false" : "true");
    save.disabled = !ok;
    fill(
      issues,
      ok
        ? h(
            "li",
            { class: "ok" },
            schemas?.PutBot ? "Valid against the server's schema (PutBot)." : "Valid JSON.",
          )
        : found.map((i) => h("li", null, h("code", null, i.path), ` ${i.message}`)),
    );
    return ok && "value" in parsed ? parsed.value : undefined;
  };
  const withReason = (value: unknown): unknown =>
    reason.value && value && typeof value === "object" && !Array.isArray(value)
      ? { ...value, reason: reason.value }
      : value;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = (): void => {
    clearTimeout(timer);
    // A large config is parsed once the typing pauses, not on every key.
    timer = setTimeout(check, area.value.length > 100_000 ? 300 : 0);
  };
  area.addEventListener("input", later);
  reason.addEventListener("input", later);

  const form = h(
    "form",
    {
      class: "editor",
      onsubmit: async (event) => {
        event.preventDefault();
        const body = check();
        if (body === undefined) return;
        status.say("Saving…", "busy");
        save.disabled = true;
        try {
          const res = bot
            ? await api(`bots/${seg(id)}`, {
                method: "PUT",
                json: withReason(body),
                headers: { "if-match": `"${bot.version}"` },
              })
            : await api("bots", {
                method: "POST",
                json: { bot_id: id, ...(withReason(body) as object) },
              });
          const written = (await res.json()) as Registration;
          await hooks.changed(`Saved as version ${written.version}.`);
        } catch (error) {
          status.say(explain(error), "error");
          save.disabled = false;
        }
      },
    },
    h("h2", null, bot ? "Config" : "New bot config"),
    field("Body of PUT /bots/{id}: config, status, metadata", area),
    issues,
    field("Reason (optional, kept in the audit trail)", reason),
    h("div", { class: "row" }, save),
    status,
  );
  check();
  return Object.assign(form, { dirty: () => area.value !== original });
}
