// The console's one way of making DOM: elements from a tag, attributes and children, where every
// string becomes a text node (or an attribute value) — never markup. Nothing in the console
// assigns innerHTML, outerHTML or insertAdjacentHTML (the page's CSP requires Trusted Types for
// them, so such an assignment would throw), so a bot's config or a file name that holds HTML is
// shown as text.

/** What an element may hold: nodes, text, numbers; `null`, `undefined` and `false` are skipped. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes: `on…` functions become listeners, `value`/`checked` properties, `true` a bare attribute. */
export type Attrs = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) for (const c of child) append(parent, c);
  else parent.appendChild(typeof child === "object" ? child : document.createTextNode(`${child}`));
}

/**
 * An element. `h("a", { href: "#/bots" }, "Bots")`.
 * @example
 * h("button", { type: "button", onclick: () => save() }, "Save");
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "value" || name === "checked") Object.assign(el, { [name]: value });
    else el.setAttribute(name, value === true ? "" : `${value}`);
  }
  append(el, children);
  return el;
}

/**
 * Replaces what `el` holds.
 * @example
 * fill(list, items.map((i) => h("li", null, i.name)));
 */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * Runs `render` (which replaces what `root` holds) and gives the focus back to the control that
 * had it — the same tag, name and text in the new content — or else to `root`'s heading, so a
 * keyboard user is not sent back to the top of the page by a refresh.
 * @example
 * keepFocus(main, () => fill(main, ...sections));
 */
export function keepFocus(root: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const key = (el: Element): string =>
    `${el.tagName}|${el.getAttribute("name") ?? ""}|${el.tagName === "BUTTON" ? el.textContent : ""}`;
  const had = active && root.contains(active) ? key(active) : undefined;
  render();
  if (had === undefined) return;
  const again = [...root.querySelectorAll<HTMLElement>("button, input, select, textarea, a")].find(
    (el) => key(el) === had,
  );
  (again ?? root.querySelector<HTMLElement>("h1"))?.focus();
}

/**
 * A status line: a paragraph announced to screen readers as it changes.
 * @example
 * const status = statusLine(); status.say("Saved", "ok");
 */
export function statusLine(): HTMLParagraphElement & {
  say(text: string, kind?: "ok" | "error" | "busy"): void;
} {
  const p = h("p", { class: "status", role: "status", "aria-live": "polite" });
  return Object.assign(p, {
    say(text: string, kind?: "ok" | "error" | "busy") {
      p.textContent = text;
      p.dataset.kind = kind ?? "";
    },
  });
}

/**
 * A table in a horizontally scrolling box (readable on a phone), or `empty` when no rows.
 * @example
 * table(["Id", "Status"], rows, "No bots yet");
 */
export function table(head: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      null,
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          head.map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      h("tbody", null, rows),
    ),
  );
}

/**
 * A labelled form field: the label wraps its control, so a click or a screen reader finds it.
 * @example
 * field("Reason", h("input", { name: "reason" }));
 */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h(
    "label",
    { class: "field" },
    h("span", null, label),
    control,
    hint && h("small", null, hint),
  );
}

/**
 * A size in bytes for people.
 * @example
 * bytes(2048); // "2.0 KB"
 */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * A wire timestamp in the reader's locale (the ISO form in its title).
 * @example
 * when("2026-01-01T00:00:00Z");
 */
export function when(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h("time", { datetime: iso, title: iso }, date.toLocaleString());
}
