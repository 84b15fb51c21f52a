/**
 * One input of the run form: a way to fill it (JSON, generated values, a .npy/.npz/.json file, an
 * image, text lines, a tf.Example builder, the signature's default), the concrete size of unknown
 * dimensions, and the validation error shown on the field as the user types.
 */
import { button, h, replace, codicon } from "../shared/dom.js";
import { formatShape } from "../../shared/modelFormat.js";
import { DataType as DT } from "../../savedmodel/dtypes.js";
import type { DecodedTensor } from "../../savedmodel/tensor.js";
import type { ExampleFeatureRow, InputSource, RunInputInfo, RunRpc } from "../../protocol/run.js";
import type { RpcClient } from "../../protocol/rpc.js";
import {
  concreteShape,
  parseInputText,
  parseShapeText,
  parseSparseText,
  parseTextLines,
  shapeWarning,
  unknownDims,
} from "./inputParse.js";
import { fillTensor, inputSeed, randomRange, elementCount, type FillKind } from "./fill.js";
import { acceptsImage, defaultScale, imageLayout, imageToTensor, type PixelScale } from "./image.js";
import { buildExamples, takesExamples } from "./examples.js";
import { fromWire } from "../../protocol/tensorWire.js";

type Mode = "json" | FillKind | "file" | "image" | "text" | "examples" | "default";

export interface InputValue {
  source: InputSource;
  tensor?: DecodedTensor;
  /** A sparse input given as its components: fed as key/indices, key/values, key/dense_shape. */
  components?: Record<string, DecodedTensor>;
  error?: string;
  examples?: { dicts: Record<string, unknown[]>[]; floats: string[] };
}

function select(options: [string, string][], value: string, label: string): HTMLElement & { value: string } {
  const s = h(
    "vscode-single-select",
    { attrs: { "aria-label": label } },
    ...options.map(([v, l]) => h("vscode-option", { attrs: { value: v, selected: v === value } }, l)),
  );
  return s as HTMLElement & { value: string };
}

function textfield(value: string, label: string, cls = ""): HTMLElement & { value: string } {
  return h("vscode-textfield", { class: cls, attrs: { value, "aria-label": label } }) as HTMLElement & {
    value: string;
  };
}

export class InputEditor {
  readonly el: HTMLElement;
  private mode: Mode;
  private readonly body = h("div", { class: "input-body" });
  private readonly status = h("div", { class: "input-status", attrs: { role: "status", "aria-live": "polite" } });
  private value: InputValue = { source: { kind: "json", text: "" } };
  private jsonText = "";
  private textLines = "";
  private dims: number[] = [];
  /** Unknown rank: the whole shape as typed ("2, 3"; empty for a scalar). */
  private shapeText = "1";
  private seed = 1;
  private collapsed = false;
  private readonly toggle: HTMLElement;
  private file?: {
    path: string;
    member?: string;
    tensor?: DecodedTensor;
    json?: string;
    members?: string[];
    components?: Record<string, DecodedTensor>;
  };
  private image?: { path: string; bitmap: ImageBitmap; rgba: Uint8ClampedArray; w: number; h: number };
  private scale: PixelScale;
  private examples: ExampleFeatureRow[][] = [[{ name: "", kind: "float", values: "" }]];

  constructor(
    readonly info: RunInputInfo,
    private readonly methodName: string,
    private readonly rpc: RpcClient<RunRpc>,
    private readonly changed: () => void,
    /** Features the model parses: the tf.Example builder's first rows. */
    features?: ExampleFeatureRow[],
  ) {
    if (features?.length) this.examples = [features.map((f) => ({ ...f, values: "" }))];
    this.scale = defaultScale(info.dtype);
    this.mode = this.defaultMode();
    this.dims = unknownDims(info.shape).map((i) => (i === 0 ? 1 : acceptsImage(info.dtype, info.shape) ? 224 : 1));
    const modeSelect = select(this.modes(), this.mode, `How to fill ${info.key}`);
    modeSelect.dataset.role = "mode";
    modeSelect.addEventListener("change", () => {
      this.mode = modeSelect.value as Mode;
      this.render();
    });
    this.toggle = h("vscode-button", {
      class: "collapse-toggle",
      attrs: {
        icon: "chevron-down",
        secondary: true,
        "aria-expanded": "true",
        "aria-label": `collapse ${info.key}`,
        title: "Collapse",
      },
    });
    this.toggle.addEventListener("click", () => this.setCollapsed(!this.collapsed));
    this.el = h(
      "section",
      { class: "input", data: { key: info.key } },
      h(
        "div",
        { class: "input-head" },
        this.toggle,
        h("span", { class: "input-key mono" }, info.key),
        h(
          "span",
          { class: "input-spec" },
          `${info.sparse ? "sparse " : ""}${info.dtypeShort} ${formatShape(info.shape)}`,
        ),
        h("span", { class: "muted mono input-tensor", title: "graph tensor" }, info.tensorName),
        h("span", { class: "spacer" }),
        modeSelect,
      ),
      this.body,
      this.status,
    );
    this.render();
  }

  private modes(): [Mode, string][] {
    const i = this.info;
    const out: [Mode, string][] = [];
    if (takesExamples(this.methodName, i)) out.push(["examples", "tf.Example builder"]);
    if (i.dtype === DT.DT_STRING) out.push(["text", "Text (one string per line)"]);
    out.push(["json", "JSON value"]);
    if (acceptsImage(i.dtype, i.shape)) out.push(["image", "Image file"]);
    out.push(["file", "File (.npy, .npz, .json)"]);
    out.push(
      ["random", `Random (${randomRange(i.dtype)})`],
      ["zeros", "Zeros"],
      ["ones", "Ones"],
      ["range", "Range 0, 1, 2, …"],
    );
    if (i.hasDefault) out.push(["default", "Signature default"]);
    return out;
  }

  private defaultMode(): Mode {
    const i = this.info;
    if (takesExamples(this.methodName, i)) return "examples";
    if (i.dtype === DT.DT_STRING) return "text";
    return "json";
  }

  get key(): string {
    return this.info.key;
  }

  /** Hides the input's fields (the status line stays, so errors still show). */
  setCollapsed(collapsed: boolean): void {
    this.collapsed = collapsed;
    this.body.hidden = collapsed;
    this.el.classList.toggle("collapsed", collapsed);
    this.toggle.setAttribute("icon", collapsed ? "chevron-right" : "chevron-down");
    this.toggle.setAttribute("aria-expanded", String(!collapsed));
    this.toggle.setAttribute("aria-label", `${collapsed ? "expand" : "collapse"} ${this.info.key}`);
    this.toggle.setAttribute("title", collapsed ? "Expand" : "Collapse");
  }

  /** Fill all at once: switches this input to generated values (unknown sizes keep theirs). */
  fillWith(kind: FillKind, seed?: number): void {
    if (this.info.unsupported) return;
    this.mode = kind;
    if (seed !== undefined) this.seed = seed;
    const sel = this.el.querySelector<HTMLElement & { value: string }>("[data-role=mode]");
    if (sel) sel.value = this.mode;
    this.render();
  }

  current(): InputValue {
    return this.value;
  }

  /** Restores a remembered source (files and images are read again). */
  async restore(src: InputSource): Promise<void> {
    switch (src.kind) {
      case "json":
        this.mode = "json";
        this.jsonText = src.text;
        break;
      case "text":
        this.mode = "text";
        this.textLines = src.lines;
        break;
      case "fill":
        this.mode = src.fill;
        this.dims = src.dims;
        if (!this.info.shape) this.shapeText = src.dims.join(", ");
        this.seed = src.seed ?? 1;
        break;
      case "examples":
        this.mode = "examples";
        this.examples = src.features.length ? src.features : this.examples;
        break;
      case "default":
        this.mode = "default";
        break;
      case "file":
        this.mode = "file";
        await this.loadFile(src.path, src.member).catch(() => undefined);
        break;
      case "image":
        this.mode = "image";
        this.dims = src.dims;
        this.scale = src.scale;
        await this.loadImage(src.path).catch(() => undefined);
        break;
    }
    const sel = this.el.querySelector<HTMLElement & { value: string }>("[data-role=mode]");
    if (sel) sel.value = this.mode;
    this.render();
  }

  private setStatus(error: string | undefined, ok?: string): void {
    this.value.error = error;
    replace(
      this.status,
      error
        ? h("span", { class: "error" }, codicon("error"), " ", error)
        : ok
          ? h("span", { class: "muted" }, ok)
          : null,
    );
    this.el.classList.toggle("invalid", !!error);
    // the field itself carries the error state (vscode-elements' invalid styling, aria-invalid for readers)
    for (const f of this.body.querySelectorAll("vscode-textarea.json")) {
      f.toggleAttribute("invalid", !!error);
      f.setAttribute("aria-invalid", String(!!error));
    }
    this.changed();
  }

  /** A sparse input given as components: keyed key/indices, key/values, key/dense_shape. */
  private setComponents(parts: Record<string, DecodedTensor>): void {
    const get = (p: string) => parts[`${this.info.key}/${p}`] ?? parts[p];
    const [indices, values, denseShape] = [get("indices"), get("values"), get("dense_shape")];
    this.value.components = {
      [`${this.info.key}/indices`]: indices,
      [`${this.info.key}/values`]: values,
      [`${this.info.key}/dense_shape`]: denseShape,
    };
    const shape = Array.from(denseShape.values as ArrayLike<number | bigint>, Number);
    return this.setStatus(
      undefined,
      `sparse: ${indices.shape[0] ?? 0} value(s) in ${formatShape(shape)} (indices ${formatShape(indices.shape)})`,
    );
  }

  private describeTensor(t: DecodedTensor): string {
    return `${formatShape(t.shape)} · ${elementCount(t.shape).toLocaleString("en-US")} values`;
  }

  /** Fields for the -1 dims (or the whole shape when the rank is unknown). */
  private dimsEditor(labels?: string[]): HTMLElement | null {
    const spec = this.info.shape;
    const idx = unknownDims(spec);
    if (spec && !idx.length) return null;
    if (!spec) {
      // Unknown rank: the whole shape in one field.
      const f = textfield(this.shapeText, `shape of ${this.info.key}`, "shape");
      f.setAttribute("placeholder", "e.g. 2, 3 (empty: a scalar)");
      f.addEventListener("input", () => {
        this.shapeText = f.value;
        this.update();
      });
      return h("div", { class: "dims" }, h("label", { class: "dim-field" }, "Shape (rank unknown): ", f));
    }
    const fields = (spec ? idx : this.dims.map((_, i) => i)).map((dimIndex, j) => {
      const f = textfield(String(this.dims[j] ?? 1), `size of dimension ${dimIndex}`, "dim");
      f.dataset.dim = String(j);
      f.addEventListener("input", () => {
        const n = Number(f.value);
        this.dims[j] = Number.isInteger(n) && n >= 0 ? n : NaN;
        this.update();
      });
      return h("label", { class: "dim-field" }, `${labels?.[j] ?? `dim ${dimIndex}`} `, f);
    });
    return h(
      "div",
      { class: "dims" },
      h("span", { class: "muted" }, spec ? "Unknown sizes:" : "Shape (rank unknown):"),
      fields,
    );
  }

  private render(): void {
    const i = this.info;
    switch (this.mode) {
      case "json": {
        const ta = h("vscode-textarea", {
          class: "json",
          data: { key: i.key },
          attrs: {
            rows: "3",
            placeholder: `e.g. ${exampleLiteral(i)}`,
            "aria-label": `value of ${i.key} as JSON`,
            resize: "vertical",
            monospace: true,
          },
        }) as HTMLElement & { value: string };
        ta.value = this.jsonText;
        ta.addEventListener("input", () => {
          this.jsonText = ta.value;
          this.updateSoon(this.jsonText.length);
        });
        replace(this.body, ta);
        break;
      }
      case "text": {
        const ta = h("vscode-textarea", {
          class: "json",
          data: { key: i.key },
          attrs: { rows: "3", placeholder: "one string per line", "aria-label": `text for ${i.key}` },
        }) as HTMLElement & {
          value: string;
        };
        ta.value = this.textLines;
        ta.addEventListener("input", () => {
          this.textLines = ta.value;
          this.updateSoon(this.textLines.length);
        });
        replace(this.body, ta);
        break;
      }
      case "random":
      case "zeros":
      case "ones":
      case "range": {
        const seed = textfield(String(this.seed), "random seed", "seed");
        seed.addEventListener("input", () => {
          this.seed = Number(seed.value) || 0;
          this.update();
        });
        replace(
          this.body,
          h(
            "div",
            { class: "row" },
            this.dimsEditor(),
            this.mode === "random" ? h("label", { class: "dim-field" }, "seed ", seed) : null,
          ),
        );
        break;
      }
      case "file":
        replace(
          this.body,
          h(
            "div",
            { class: "row" },
            button(
              "Choose File…",
              "folder-opened",
              () => void this.loadFile().catch((e) => this.setStatus((e as Error).message)),
            ),
            this.file
              ? h("span", { class: "mono file-path" }, this.file.path, this.file.member ? `[${this.file.member}]` : "")
              : h("span", { class: "muted" }, ".npy, .npz or .json from the workspace"),
          ),
        );
        break;
      case "image": {
        const scaleSel = select(
          [
            ["0..1", "pixels / 255 (0..1)"],
            ["-1..1", "pixels / 127.5 − 1 (−1..1)"],
            ["0..255", "raw pixels (0..255)"],
          ],
          this.scale,
          "pixel scaling",
        );
        scaleSel.addEventListener("change", () => {
          this.scale = scaleSel.value as PixelScale;
          this.update();
        });
        const canvas = h("canvas", { class: "thumb", attrs: { "aria-label": "chosen image" } });
        if (this.image) {
          const s = Math.min(1, 96 / Math.max(this.image.w, this.image.h));
          canvas.width = Math.max(1, Math.round(this.image.w * s));
          canvas.height = Math.max(1, Math.round(this.image.h * s));
          canvas.getContext("2d")?.drawImage(this.image.bitmap, 0, 0, canvas.width, canvas.height);
        }
        replace(
          this.body,
          h(
            "div",
            { class: "row" },
            button(
              "Choose Image…",
              "file-media",
              () => void this.loadImage().catch((e) => this.setStatus((e as Error).message)),
            ),
            this.image ? canvas : null,
            this.image
              ? h("span", { class: "mono file-path" }, this.image.path)
              : h("span", { class: "muted" }, "png, jpeg, gif, bmp, webp"),
          ),
          h(
            "div",
            { class: "row" },
            this.dimsEditor(
              unknownDims(i.shape).map(
                (d) => ["batch", "height", "width", "channels"][(i.shape?.length === 3 ? 1 : 0) + d] ?? `dim ${d}`,
              ),
            ),
            i.dtype !== DT.DT_UINT8 ? scaleSel : null,
          ),
        );
        break;
      }
      case "examples":
        this.renderExamples();
        break;
      case "default":
        replace(
          this.body,
          h("p", { class: "muted" }, "Not fed: the graph uses its default value (PlaceholderWithDefault)."),
        );
        break;
    }
    this.update();
  }

  private renderExamples(): void {
    const kinds: [string, string][] = [
      ["float", "float_list"],
      ["int64", "int64_list"],
      ["bytes", "bytes_list"],
    ];
    const blocks = this.examples.map((rows, e) =>
      h(
        "fieldset",
        { class: "example", data: { example: String(e) } },
        h("legend", null, `Example ${e + 1}`),
        rows.map((row, r) => {
          const name = textfield(row.name, `feature name (example ${e + 1}, row ${r + 1})`, "feat-name");
          name.dataset.field = "name";
          const kind = select(kinds, row.kind, "feature type");
          const values = textfield(
            row.values,
            `values, comma-separated (example ${e + 1}, row ${r + 1})`,
            "feat-values",
          );
          values.dataset.field = "values";
          name.setAttribute("placeholder", "feature");
          values.setAttribute("placeholder", "1.5, 2 or text");
          name.addEventListener("input", () => ((row.name = name.value), this.update()));
          kind.addEventListener("change", () => ((row.kind = kind.value as ExampleFeatureRow["kind"]), this.update()));
          values.addEventListener("input", () => ((row.values = values.value), this.update()));
          const del = h("vscode-button", {
            attrs: { icon: "trash", secondary: true, "aria-label": "remove feature", title: "Remove feature" },
          });
          del.addEventListener("click", () => {
            rows.splice(r, 1);
            if (!rows.length) rows.push({ name: "", kind: "float", values: "" });
            this.renderExamples();
          });
          return h("div", { class: "feature-row", data: { row: String(r) } }, name, kind, values, del);
        }),
        h(
          "div",
          { class: "row" },
          button("Add Feature", "add", () => {
            rows.push({ name: "", kind: "float", values: "" });
            this.renderExamples();
          }),
          this.examples.length > 1
            ? button("Remove Example", "trash", () => {
                this.examples.splice(e, 1);
                this.renderExamples();
              })
            : null,
        ),
      ),
    );
    replace(
      this.body,
      blocks,
      button("Add Example", "add", () => {
        this.examples.push(this.examples[this.examples.length - 1].map((r) => ({ ...r })));
        this.renderExamples();
      }),
    );
    this.update();
  }

  private async loadFile(path?: string, member?: string): Promise<void> {
    const r = await this.rpc.request("run/loadFile", {
      key: this.info.key,
      dtype: this.info.dtype,
      path,
      member,
      sparse: this.info.sparse,
    });
    if (!r) return;
    this.file = {
      path: r.path,
      member: r.member,
      members: r.members,
      tensor: r.tensor ? fromWire(r.tensor) : undefined,
      json: r.json,
      components: r.components
        ? Object.fromEntries(Object.entries(r.components).map(([k, w]) => [k, fromWire(w)]))
        : undefined,
    };
    if (this.mode === "file") this.render();
  }

  private async loadImage(path?: string): Promise<void> {
    const r = await this.rpc.request("run/loadImage", { path });
    if (!r) return;
    const bytes = r.bytes instanceof Uint8Array ? r.bytes : new Uint8Array(r.bytes as ArrayLike<number>);
    const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: r.mime }));
    const c = document.createElement("canvas");
    c.width = bitmap.width;
    c.height = bitmap.height;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2-D canvas to decode the image");
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    this.image = { path: r.path, bitmap, rgba: data, w: bitmap.width, h: bitmap.height };
    const idx = unknownDims(this.info.shape);
    // unknown H/W default to the image's own size when the user has not set them
    if (this.info.shape) {
      const lay = imageLayout(this.info.shape, bitmap.width, bitmap.height);
      const full = this.info.shape.length === 4 ? [lay.n ?? 1, lay.h, lay.w, lay.c] : [lay.h, lay.w, lay.c];
      this.dims = idx.map((d, j) => (path ? (this.dims[j] ?? full[d]) : full[d]));
    }
    if (this.mode === "image") this.render();
  }

  private pending?: ReturnType<typeof setTimeout>;

  /** Validates as the user types: at once for short text, after a pause for long pasted values. */
  private updateSoon(length: number): void {
    clearTimeout(this.pending);
    if (length < 20000) return this.update();
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.update();
    }, 250);
  }

  /** Applies a pending validation now (before a run). */
  flush(): void {
    if (this.pending === undefined) return;
    clearTimeout(this.pending);
    this.pending = undefined;
    this.update();
  }

  /** Re-validates and rebuilds the tensor from the current mode's fields. */
  update(): void {
    const i = this.info;
    this.value = { source: { kind: "json", text: this.jsonText } };
    if (i.unsupported) return this.setStatus(i.unsupported);
    try {
      switch (this.mode) {
        case "json": {
          this.value.source = { kind: "json", text: this.jsonText };
          if (!this.jsonText.trim()) return this.setStatus("type a value (JSON), e.g. " + exampleLiteral(i));
          if (i.sparse) {
            const sp = parseSparseText(this.jsonText, i.dtype, i.key);
            if (sp && !sp.ok) return this.setStatus(sp.error);
            if (sp) return this.setComponents(sp.parts);
          }
          const r = parseInputText(this.jsonText, i.dtype, i.shape, i.key);
          if (!r.ok) return this.setStatus(r.error);
          this.value.tensor = r.tensor;
          return this.setStatus(
            undefined,
            `${this.describeTensor(r.tensor)}${r.reshapedFrom ? ` (the flat list of ${r.reshapedFrom[0]} laid out as ${formatShape(r.tensor.shape)})` : ""}${r.shapeWarning ? ` — ${r.shapeWarning}` : ""}`,
          );
        }
        case "text": {
          this.value.source = { kind: "text", lines: this.textLines };
          const r = parseTextLines(this.textLines, i.shape);
          if (!r.ok) return this.setStatus(r.error);
          this.value.tensor = r.tensor;
          return this.setStatus(
            undefined,
            `${this.describeTensor(r.tensor)}${r.shapeWarning ? ` — ${r.shapeWarning}` : ""}`,
          );
        }
        case "random":
        case "zeros":
        case "ones":
        case "range": {
          if (!i.shape) {
            const p = parseShapeText(this.shapeText);
            if (!p.ok) return this.setStatus(p.error);
            this.dims = p.shape;
          }
          this.value.source = { kind: "fill", fill: this.mode, dims: [...this.dims], seed: this.seed };
          if (this.dims.some((d) => !Number.isInteger(d)))
            return this.setStatus("every unknown dimension needs a size (a whole number)");
          const shape = concreteShape(i.shape, this.dims);
          // each input draws from its own stream: the seed mixed with the input's key
          const t = fillTensor(this.mode, i.dtype, shape, inputSeed(this.seed, i.key));
          this.value.tensor = t;
          return this.setStatus(undefined, this.describeTensor(t));
        }
        case "file": {
          if (!this.file) return this.setStatus("choose a file");
          this.value.source = { kind: "file", path: this.file.path, member: this.file.member };
          if (this.file.components) return this.setComponents(this.file.components);
          if (i.sparse && this.file.json !== undefined) {
            const sp = parseSparseText(this.file.json, i.dtype, i.key);
            if (sp && !sp.ok) return this.setStatus(`${this.file.path}: ${sp.error}`);
            if (sp) return this.setComponents(sp.parts);
          }
          let t = this.file.tensor;
          if (this.file.json !== undefined) {
            const r = parseInputText(this.file.json, i.dtype, i.shape, i.key);
            if (!r.ok) return this.setStatus(`${this.file.path}: ${r.error}`);
            t = r.tensor;
          }
          if (!t) return this.setStatus("the file holds no array");
          const shapeNote = shapeWarning(i.shape, t.shape);
          if ((t.dtype === DT.DT_STRING) !== (i.dtype === DT.DT_STRING))
            return this.setStatus(
              `${this.file.path} holds ${t.dtype === DT.DT_STRING ? "strings" : "numbers"}; ${i.key} takes ${i.dtypeShort}`,
            );
          this.value.tensor = t;
          return this.setStatus(undefined, `${this.describeTensor(t)}${shapeNote ? ` — ${shapeNote}` : ""}`);
        }
        case "image": {
          this.value.source = { kind: "image", path: this.image?.path ?? "", dims: [...this.dims], scale: this.scale };
          if (!this.image || !i.shape) return this.setStatus("choose an image");
          if (this.dims.some((d) => !Number.isInteger(d) || d <= 0))
            return this.setStatus("every unknown dimension needs a size");
          const lay = imageLayout(i.shape, this.image.w, this.image.h, this.dims);
          const t = imageToTensor(this.image.rgba, this.image.w, this.image.h, lay, i.dtype, this.scale);
          this.value.tensor = t;
          return this.setStatus(undefined, `${this.image.w}×${this.image.h} image → ${this.describeTensor(t)}`);
        }
        case "examples": {
          this.value.source = { kind: "examples", features: this.examples.map((rows) => rows.map((r) => ({ ...r }))) };
          const r = buildExamples(this.examples);
          if (!r.ok) return this.setStatus(r.example !== undefined ? `example ${r.example + 1}: ${r.error}` : r.error);
          this.value.tensor = r.tensor;
          this.value.examples = { dicts: r.dicts, floats: r.floats };
          return this.setStatus(undefined, `${r.tensor.shape[0]} serialized tf.Example(s)`);
        }
        case "default":
          this.value.source = { kind: "default" };
          return this.setStatus(undefined);
      }
    } catch (e) {
      this.setStatus((e as Error).message);
    }
  }
}

function exampleLiteral(i: RunInputInfo): string {
  const leaf =
    i.dtype === DT.DT_STRING
      ? '"text"'
      : i.dtype === DT.DT_BOOL
        ? "true"
        : [DT.DT_FLOAT, DT.DT_DOUBLE, DT.DT_HALF].includes(i.dtype)
          ? "1.0"
          : "1";
  if (i.sparse) return `{"indices": [[0, 0]], "values": [${leaf}], "dense_shape": [1, 1]} or a dense value`;
  if (!i.shape) return `[${leaf}]`;
  let s = leaf;
  for (let d = i.shape.length - 1; d >= 0; d--) {
    const n = i.shape[d] < 0 ? 1 : Math.min(i.shape[d], 2);
    s = `[${Array(n).fill(s).join(", ")}${i.shape[d] > 2 ? ", …" : ""}]`;
  }
  return s;
}
