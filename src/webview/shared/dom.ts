/**
 * A tiny element builder for webviews. Children that are strings become text nodes, attributes are set
 * with setAttribute and never parsed as markup, so model strings (node names, signature keys) always
 * render as text: there is no innerHTML anywhere.
 */
export type Child = Node | string | number | false | null | undefined | Child[];

export interface Props {
  class?: string;
  title?: string;
  /** data-* attributes */
  data?: Record<string, string>;
  /** other attributes (aria-*, role, href="#", open, ...); `true` sets an empty attribute */
  attrs?: Record<string, string | boolean | undefined>;
  onClick?: (ev: MouseEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement;
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.title) el.title = props.title;
  if (props?.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
  if (props?.attrs)
    for (const [k, v] of Object.entries(props.attrs)) {
      if (v === true) el.setAttribute(k, "");
      else if (typeof v === "string") el.setAttribute(k, v);
    }
  if (props?.onClick) el.addEventListener("click", props.onClick);
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === "string" || typeof c === "number") el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A link-styled button (keyboard accessible) that runs `fn`. */
export function linkButton(text: string, fn: () => void, title?: string): HTMLButtonElement {
  return h(
    "button",
    { class: "link", title, attrs: { type: "button" }, onClick: (e) => (e.preventDefault(), fn()) },
    text,
  );
}

/** A codicon glyph. */
export function codicon(name: string): HTMLElement {
  return h("span", { class: `codicon codicon-${name}`, attrs: { "aria-hidden": "true" } });
}

/** A @vscode-elements button with a codicon (none when `icon` is undefined; secondary unless asked otherwise) that runs `fn`. */
export function button(text: string, icon: string | undefined, fn: () => void, secondary = true): HTMLElement {
  const b = h("vscode-button", { attrs: { icon, secondary } }, text);
  b.addEventListener("click", fn);
  return b;
}

/**
 * A @vscode-elements toggle button: `aria-pressed` says its state, and a pressed toggle is drawn as a primary
 * button (a released one as secondary). `fn` runs on click and decides the new state through setPressed.
 */
export function toggleButton(text: string, title: string, fn: () => void, pressed = false): HTMLElement {
  const b = button(text, undefined, fn);
  b.title = title;
  setPressed(b, pressed);
  return b;
}

export function setPressed(b: HTMLElement, pressed: boolean): void {
  b.setAttribute("aria-pressed", String(pressed));
  b.toggleAttribute("secondary", !pressed);
}

/** A @vscode-elements single select of `options` ([value, label]); `onChange` gets the chosen value. */
export function singleSelect(
  options: [string, string][],
  props: Props,
  onChange: (value: string, el: HTMLElement & { value: string }) => void,
): HTMLElement & { value: string } {
  const sel = h(
    "vscode-single-select",
    props,
    options.map(([value, label]) => h("vscode-option", { attrs: { value } }, label)),
  ) as HTMLElement & { value: string };
  // the element labels its inner combobox with `label`
  const label = props.attrs?.["aria-label"];
  if (typeof label === "string") sel.setAttribute("label", label);
  sel.addEventListener("change", () => onChange(sel.value, sel));
  return sel;
}

/** A key/value table (`table.kv`): each row a key header and its value (text or nodes). */
export function kvTable(rows: [string, Child][]): HTMLTableElement {
  return h(
    "table",
    { class: "kv" },
    h(
      "tbody",
      null,
      rows.map(([k, v]) => h("tr", null, h("th", { attrs: { scope: "row" } }, k), h("td", null, v))),
    ),
  );
}

/**
 * A data table (`table.data`): a header row, then rows of cells given as text or nodes (wrapped in <td>, or
 * <th> for the first cell with `rowHeads`) or as ready <td> elements (for a cell's own class or title).
 * Header cells that are null/false are left out, and so are such body cells.
 */
export function dataTable(
  head: Child[],
  rows: Child[][],
  opts: { class?: string; label?: string; rowHeads?: boolean; cellClass?: string; data?: Record<string, string> } = {},
): HTMLTableElement {
  const cell = (c: Child, i: number): Child =>
    c === null || c === undefined || c === false
      ? null
      : c instanceof HTMLTableCellElement
        ? c
        : opts.rowHeads && i === 0
          ? h("th", { attrs: { scope: "row" } }, c)
          : h("td", { class: opts.cellClass }, c);
  return h(
    "table",
    { class: opts.class ?? "data", data: opts.data, attrs: { "aria-label": opts.label } },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        head.map((c) => (c === null || c === false ? null : h("th", null, c))),
      ),
    ),
    h(
      "tbody",
      null,
      rows.map((cells) => h("tr", null, cells.map(cell))),
    ),
  );
}
