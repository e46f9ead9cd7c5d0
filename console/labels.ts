// A bot's labels and rollouts: where each label points (a version, or a split between two with
// a slider for the second one's share), moved with an If-Match of the bot's version as read —
// so a protected label (`production`) moves too, and a stale view gets a 412 instead of
// overwriting a move made meanwhile.
import { api, explain, seg } from "./api.ts";
import { BOT_ID, splitText } from "./bots.ts";
import { field, h, statusLine, table } from "./dom.ts";
import type { BotLabels, Registration, SectionHooks } from "./types.ts";

/**
 * The labels section.
 * @example
 * labelsSection(id, labels, versions, hooks);
 */
export function labelsSection(
  id: string,
  labels: BotLabels,
  versions: Registration[],
  hooks: SectionHooks,
): HTMLElement {
  const status = statusLine();
  if (hooks.said) status.say(hooks.said, "ok");
  const ifMatch = { "if-match": `"${labels.version}"` };
  const kept = versions.map((v) => v.version);
  const options = (selected: number | undefined, none?: string): HTMLOptionElement[] => [
    ...(none ? [h("option", { value: "" }, none)] : []),
    ...kept.map((v) => h("option", { value: v, selected: v === selected }, `v${v}`)),
  ];

  const name = h("input", {
    name: "label",
    required: true,
    autocomplete: "off",
    list: "label-names",
    pattern: BOT_ID,
  });
  const first = h("select", { name: "version" }, options(labels.version));
  const second = h("select", { name: "second" }, options(undefined, "— none —"));
  const slider = h("input", {
    type: "range",
    name: "percent",
    min: 0,
    max: 100,
    step: 1,
    value: 0,
    disabled: true,
    "aria-describedby": "split-shares",
  });
  const shares = h("output", { id: "split-shares", for: "percent" });
  const reason = h("input", { name: "reason", autocomplete: "off", maxlength: 1024 });

  const body = (): Record<string, unknown> => {
    const a = Number(first.value);
    const b = second.value === "" ? undefined : Number(second.value);
    const p = Number(slider.value);
    const target =
      b === undefined || p === 0
        ? { version: a }
        : p === 100
          ? { version: b }
          : {
              split: [
                { version: a, percent: 100 - p },
                { version: b, percent: p },
              ],
            };
    return reason.value ? { ...target, reason: reason.value } : target;
  };
  const describe = (): void => {
    slider.disabled = second.value === "";
    const b = body();
    shares.value =
      splitText(b.split as { version: number; percent: number }[]) ?? `v${b.version} 100%`;
    slider.setAttribute("aria-valuetext", `${slider.value}% to the second version`);
  };
  for (const el of [first, second, slider]) el.addEventListener("input", describe);
  describe();

  const edit = (label: string): void => {
    const target = labels.labels[label];
    name.value = label;
    first.value = String(target?.split?.[0]?.version ?? target?.version ?? labels.version);
    second.value = String(target?.split?.[1]?.version ?? "");
    slider.value = String(target?.split?.[1]?.percent ?? 0);
    describe();
    name.focus();
  };
  const run = async (what: string, write: () => Promise<unknown>): Promise<void> => {
    status.say(`${what}…`, "busy");
    try {
      await write();
      await hooks.changed(`${what}: done.`);
    } catch (error) {
      status.say(explain(error), "error");
    }
  };

  const rows = Object.entries(labels.labels).map(([label, target]) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, label),
      h("td", null, splitText(target.split) ?? `v${target.version}`),
      h(
        "td",
        { class: "actions" },
        label !== "latest" && [
          h(
            "button",
            { type: "button", "aria-label": `Edit ${label}`, onclick: () => edit(label) },
            "Edit",
          ),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Remove ${label}`,
              onclick: () =>
                run(`Remove ${label}`, () =>
                  api(`bots/${seg(id)}/labels/${seg(label)}`, {
                    method: "DELETE",
                    headers: ifMatch,
                  }),
                ),
            },
            "Remove",
          ),
        ],
      ),
    ),
  );
  const form = h(
    "form",
    {
      class: "grid",
      onsubmit: (event) => {
        event.preventDefault();
        void run(`Set ${name.value}`, () =>
          api(`bots/${seg(id)}/labels/${seg(name.value)}`, {
            method: "PUT",
            json: body(),
            headers: ifMatch,
          }),
        );
      },
    },
    h(
      "datalist",
      { id: "label-names" },
      Object.keys(labels.labels)
        .filter((l) => l !== "latest")
        .map((l) => h("option", { value: l })),
    ),
    field("Label", name),
    field("Version", first),
    field("Split with", second),
    field(
      "Share of the split version",
      slider,
      "A caller key keeps its version until the split changes.",
    ),
    h("p", null, "Serves: ", shares),
    field("Reason (optional)", reason),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Set label")),
  );
  const section = h(
    "section",
    { "aria-labelledby": "labels-title" },
    h("h2", { id: "labels-title" }, "Labels and rollouts"),
    table(["Label", "Serves", ""], rows, "No labels."),
    h("h3", null, "Set or move a label"),
    form,
    status,
  );
  return section;
}
