// A bot's versions: who wrote each, when and why, the labels it carried; the JSON Patch between
// any two (`GET /bots/{id}/versions/{a}/diff/{b}`); and a rollback, which writes the old content
// as a new version (nothing is lost, so it needs no confirmation).
import { api, explain, json, seg } from "./api.ts";
import { labelChips } from "./bots.ts";
import { field, fill, h, statusLine, table, when } from "./dom.ts";
import type { Registration, SectionHooks } from "./types.ts";

interface PatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * The versions section: `versions` newest first; `older` loads the next page when there is one.
 * @example
 * versionsSection(id, current, versions, hooks, loadOlder);
 */
export function versionsSection(
  id: string,
  current: Registration,
  versions: Registration[],
  hooks: SectionHooks,
  older: (() => Promise<void>) | undefined,
): HTMLElement {
  const status = statusLine();
  if (hooks.said) status.say(hooks.said, "ok");
  const output = h("div", { class: "diff", "aria-live": "polite" });
  const pick = (name: string, selected: number | undefined): HTMLSelectElement =>
    h(
      "select",
      { name },
      versions.map((v) =>
        h("option", { value: v.version, selected: v.version === selected }, `v${v.version}`),
      ),
    );
  const from = pick("from", versions[1]?.version ?? current.version);
  const to = pick("to", current.version);

  const diff = async (): Promise<void> => {
    status.say(`Diff v${from.value} → v${to.value}…`, "busy");
    try {
      const ops = await json<PatchOp[]>(
        `bots/${seg(id)}/versions/${seg(from.value)}/diff/${seg(to.value)}`,
      );
      fill(
        output,
        h("h3", null, `v${from.value} → v${to.value}`),
        ops.length === 0
          ? h("p", { class: "muted" }, "No difference.")
          : h(
              "ol",
              { class: "patch" },
              ops.map((op) =>
                h(
                  "li",
                  { class: `op-${op.op}` },
                  h("span", { class: "op" }, op.op),
                  " ",
                  h("code", null, op.path),
                  op.from !== undefined && [" from ", h("code", null, op.from)],
                  "value" in op && h("pre", null, JSON.stringify(op.value, null, 2)),
                ),
              ),
            ),
      );
      status.say(`${ops.length} change(s).`, "ok");
    } catch (error) {
      status.say(explain(error), "error");
    }
  };
  const rollback = async (version: number): Promise<void> => {
    status.say(`Rolling back to v${version}…`, "busy");
    try {
      const res = await api(`bots/${seg(id)}/rollback`, {
        method: "POST",
        json: { version },
        headers: { "if-match": `"${current.version}"` },
      });
      const written = (await res.json()) as Registration;
      await hooks.changed(`Rolled back: v${written.version} holds v${version}'s content.`);
    } catch (error) {
      status.say(explain(error), "error");
    }
  };

  const rows = versions.map((v) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, `v${v.version}`),
      h("td", null, when(v.updated_at)),
      h("td", null, v.ext?.write_context?.actor ?? "—"),
      h("td", null, v.ext?.write_context?.reason ?? ""),
      h("td", null, labelChips(v.ext?.labels ?? {}, v.ext?.splits ?? {})),
      h(
        "td",
        { class: "actions" },
        v.version !== current.version &&
          h(
            "button",
            { type: "button", onclick: () => rollback(v.version) },
            `Roll back to v${v.version}`,
          ),
      ),
    ),
  );
  return h(
    "section",
    { "aria-labelledby": "versions-title" },
    h("h2", { id: "versions-title" }, "Versions"),
    h(
      "form",
      {
        class: "row",
        onsubmit: (event) => {
          event.preventDefault();
          void diff();
        },
      },
      field("From", from),
      field("To", to),
      h("button", { type: "submit" }, "Diff"),
    ),
    output,
    status,
    table(["Version", "Written", "Actor", "Reason", "Labels", ""], rows, "No versions kept."),
    older && h("button", { type: "button", onclick: () => older() }, "Load older versions"),
  );
}
