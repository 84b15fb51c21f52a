/**
 * The graph toolbar's overflow, as VS Code's own action bars do it: the toolbar stays one row, and the controls
 * that do not fit move into a "More…" menu at the row's right end: the lowest `data-overflow` rank first (the
 * exports, then the panels, the display toggles, the expand buttons; a control without a rank, such as Fit or an
 * overlay's Time / Run… / Next change, last), among equals from the end. Each menu item does what its
 * button does (it clicks the button); toggles show their pressed state. Measured again when the toolbar's width
 * changes, when a control's size changes, and when controls join later (the toolbar's own after the first
 * picture, the run overlay's Time / Run…, the change overlay's Next change): More always stays last.
 * Controls marked `pinned` (the view picker, the search field, the title) never move into the menu; a `shrink`
 * control (the title) is counted at its CSS min-width, so it gives up its width before any button moves.
 */
import { h } from "../shared/dom.js";

/** A control the overflow moved into the menu (display: none in graph.css). */
const OVERFLOWED = "overflowed";

export class ToolbarOverflow {
  readonly more: HTMLElement;
  readonly menu: HTMLElement;
  /** The controls currently in the menu, in toolbar order. */
  private moved: HTMLElement[] = [];
  private readonly sizes: ResizeObserver;
  private frame = 0;

  constructor(private readonly bar: HTMLElement) {
    this.more = h(
      "vscode-button",
      {
        class: "toolbar-more",
        title: "More actions (the toolbar's controls that do not fit)",
        attrs: { secondary: true, "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "toolbar-menu" },
      },
      "More…",
    );
    this.more.classList.add(OVERFLOWED);
    this.more.addEventListener("click", (ev) => {
      // vscode-button turns Enter and Space into a synthetic click (detail 0): the keyboard opens on the first item
      const keyboard = (ev as MouseEvent & { synthetic?: boolean }).synthetic === true || ev.detail === 0;
      if (this.isOpen) this.close(keyboard);
      else this.open(keyboard);
    });
    this.more.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        this.open(true, ev.key === "ArrowUp" ? -1 : 0);
      }
    });
    this.menu = h("div", { class: "toolbar-menu", attrs: { role: "menu", "aria-label": "More actions" } });
    this.menu.id = "toolbar-menu";
    this.menu.hidden = true;
    this.menu.addEventListener("keydown", (ev) => this.onMenuKey(ev));
    document.addEventListener(
      "pointerdown",
      (ev) => {
        const t = ev.target as Node | null;
        if (this.isOpen && t && !this.menu.contains(t) && !this.more.contains(t)) this.close(false);
      },
      true,
    );
    window.addEventListener("blur", () => this.close(false));
    bar.append(this.more);
    bar.after(this.menu);
    // The toolbar's width: measured at once (before the frame paints); a control's own size (a Lit control's
    // first render, one just moved in or out): measured in the next frame.
    this.sizes = new ResizeObserver((entries) => {
      if (entries.some((e) => e.target === bar)) this.fit();
      else this.schedule();
    });
    this.sizes.observe(bar);
    new MutationObserver(() => this.adopt()).observe(bar, { childList: true });
    this.adopt();
  }

  get isOpen(): boolean {
    return !this.menu.hidden;
  }

  /** The controls now in the menu (tests, E2E). */
  get overflowed(): readonly HTMLElement[] {
    return this.moved;
  }

  /** Keeps More last, watches every control's size, measures again. */
  private adopt(): void {
    if (this.bar.lastElementChild !== this.more) this.bar.append(this.more);
    for (const el of this.bar.children) this.sizes.observe(el);
    this.fit();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.fit();
    });
  }

  /** Decides which controls fit: all shown at their natural width, then from the end into the menu. */
  fit(): void {
    const bar = this.bar;
    const items = [...bar.children].filter(
      (el): el is HTMLElement => el instanceof HTMLElement && el !== this.more && !el.hidden,
    );
    bar.classList.add("measuring");
    for (const el of items) el.classList.remove(OVERFLOWED);
    this.more.classList.remove(OVERFLOWED);
    const cs = getComputedStyle(bar);
    const gap = parseFloat(cs.columnGap) || 0;
    const avail = bar.clientWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0);
    const widths = items.map((el) => {
      const s = getComputedStyle(el);
      const margin = (parseFloat(s.marginLeft) || 0) + (parseFloat(s.marginRight) || 0);
      const w = el.getBoundingClientRect().width;
      const min = parseFloat(s.minWidth);
      return margin + (el.classList.contains("shrink") && min > 0 ? Math.min(w, min) : w);
    });
    const moreW = this.more.getBoundingClientRect().width;
    let total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, items.length - 1);
    const moved: HTMLElement[] = [];
    // half a pixel of slack for sub-pixel widths
    if (total > avail + 0.5) {
      total += gap + moreW;
      // the lowest rank first (data-overflow, 9 when unset), among equals the last first
      const order = items
        .map((el, i) => ({ el, i, rank: Number(el.dataset.overflow ?? 9) }))
        .filter((c) => !c.el.classList.contains("pinned"))
        .sort((a, b) => a.rank - b.rank || b.i - a.i);
      const go = new Set<HTMLElement>();
      for (const c of order) {
        if (total <= avail + 0.5) break;
        total -= widths[c.i] + gap;
        go.add(c.el);
      }
      moved.push(...items.filter((el) => go.has(el)));
    }
    for (const el of moved) el.classList.add(OVERFLOWED);
    this.more.classList.toggle(OVERFLOWED, moved.length === 0);
    bar.classList.remove("measuring");
    const changed = moved.length !== this.moved.length || moved.some((el, i) => el !== this.moved[i]);
    this.moved = moved;
    if (changed && this.isOpen) {
      if (moved.length) this.render();
      else this.close(false);
    }
  }

  /** Opens the menu under More; with `focusAt` (keyboard), focuses that item (-1: the last). */
  open(keyboard: boolean, focusAt = 0): void {
    if (!this.moved.length) return;
    this.render();
    this.menu.hidden = false;
    this.more.setAttribute("aria-expanded", "true");
    this.place();
    const items = this.items();
    if (keyboard) items[(focusAt + items.length) % items.length]?.focus();
  }

  /** Closes the menu; `refocus` puts the focus back on More. */
  close(refocus: boolean): void {
    if (!this.isOpen) return;
    this.menu.hidden = true;
    this.more.setAttribute("aria-expanded", "false");
    if (refocus) this.more.focus();
  }

  private items(): HTMLElement[] {
    return [...this.menu.querySelectorAll<HTMLElement>("[role^='menuitem']")];
  }

  private render(): void {
    this.menu.replaceChildren(
      ...this.moved.map((el) => {
        const pressed = el.getAttribute("aria-pressed");
        const label = (el.textContent ?? "").trim();
        const it = h(
          "div",
          {
            class: "toolbar-menu-item",
            title: el.title || undefined,
            attrs: {
              role: pressed === null ? "menuitem" : "menuitemcheckbox",
              "aria-checked": pressed ?? undefined,
              "aria-disabled": el.hasAttribute("disabled") ? "true" : undefined,
              tabindex: "-1",
            },
          },
          h("span", { class: "check", attrs: { "aria-hidden": "true" } }, pressed === "true" ? "✓" : ""),
          h("span", { class: "label" }, label),
        );
        it.addEventListener("click", () => this.activate(el));
        it.addEventListener("pointermove", () => it.focus());
        return it;
      }),
    );
  }

  /** Right-aligned under More, inside the window. */
  private place(): void {
    const r = this.more.getBoundingClientRect();
    const w = this.menu.offsetWidth;
    const left = Math.max(4, Math.min(r.right - w, window.innerWidth - w - 4));
    this.menu.style.setProperty("left", `${Math.round(left)}px`);
    this.menu.style.setProperty("top", `${Math.round(r.bottom + 2)}px`);
  }

  /** Does what the control's button does, then closes with the focus back on More. */
  private activate(el: HTMLElement): void {
    if (el.hasAttribute("disabled")) return;
    this.close(true);
    el.click();
  }

  private onMenuKey(ev: KeyboardEvent): void {
    const items = this.items();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => items[(i + items.length) % items.length]?.focus();
    switch (ev.key) {
      case "ArrowDown":
        go(at + 1);
        break;
      case "ArrowUp":
        go(at < 0 ? -1 : at - 1);
        break;
      case "Home":
        go(0);
        break;
      case "End":
        go(-1);
        break;
      case "Enter":
      case " ":
        if (at >= 0) this.activate(this.moved[at]);
        break;
      case "Escape":
      case "Tab":
        this.close(true);
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }
}
