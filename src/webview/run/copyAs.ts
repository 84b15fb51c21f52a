/**
 * "Copy as…" for a run: the same inputs as a `saved_model_cli run` / `savedmodel run` command line
 * (quoted for POSIX shells or PowerShell), a Python snippet, and a TensorFlow Serving REST request
 * body with its `curl` line. Pure functions (used by the run webview and tested in Node).
 */

/** One input as the run form holds it. */
export type RunInputSpec =
  | { key: string; kind: "expr"; dtype: string; shape: number[]; /** nested JSON array or scalar */ value: unknown }
  | {
      key: string;
      kind: "file";
      dtype: string;
      shape: number[];
      /** "inputs.npz[x]", "x.npy", "x.json" */ file: string;
      /** The file's values as a nested list, when small: a TF Serving request carries values, not files. */
      value?: unknown;
    }
  | {
      key: string;
      kind: "examples";
      /** tf.Example features as {name: [values]} */ examples: Record<string, unknown[]>[];
      /** Features whose values are floats (written 1.0, not 1, so every tool reads float_list). */
      floats?: string[];
    };

export interface RunRecipe {
  dir: string;
  tags: string[];
  signature: string;
  methodName: string;
  inputs: RunInputSpec[];
}

export type Shell = "posix" | "powershell";

/**
 * Characters never pasted raw: C0/C1 controls and DEL (a terminal acts on them: ESC sequences, bracketed-paste
 * end, CR), line/paragraph separators and bidirectional overrides (they make the text read differently).
 * Newline and tab are kept inside quotes (they cannot end a quoted word).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_G = new RegExp(UNSAFE.source, "g");

/** A character as POSIX printf octal escapes of its UTF-8 bytes. */
function octalUtf8(ch: string): string {
  return Array.from(new TextEncoder().encode(ch), (b) => `\\${b.toString(8).padStart(3, "0")}`).join("");
}

/**
 * Quotes one argument for a POSIX shell: single quotes, with ' written as '\''. Characters a terminal would act
 * on are produced by printf inside a command substitution instead of being pasted raw.
 */
export function quotePosix(s: string): string {
  if (/^[A-Za-z0-9_\-+=.,/:@%]+$/.test(s)) return s;
  const lit = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
  if (!UNSAFE.test(s)) return lit(s);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(UNSAFE_G)) {
    if (m.index! > last) out += lit(s.slice(last, m.index));
    out += `"$(printf '${octalUtf8(m[0])}')"`;
    last = m.index! + m[0].length;
  }
  if (last < s.length) out += lit(s.slice(last));
  return out;
}

/**
 * Quotes one argument for PowerShell: single quotes, with ' (and the typographic single quotes PowerShell also
 * accepts) doubled; characters a terminal would act on are joined in as [char] values.
 */
export function quotePowerShell(s: string): string {
  if (/^[A-Za-z0-9_\-+=./:\\]+$/.test(s)) return s;
  const lit = (t: string) => `'${t.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
  if (!UNSAFE.test(s)) return lit(s);
  const parts: string[] = [];
  let last = 0;
  for (const m of s.matchAll(UNSAFE_G)) {
    if (m.index! > last) parts.push(lit(s.slice(last, m.index)));
    parts.push(`[char]0x${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
    last = m.index! + m[0].length;
  }
  if (last < s.length) parts.push(lit(s.slice(last)));
  return `(${["''", ...parts].join(" + ")})`;
}

/** JSON text with every character a terminal or an editor could act on written as \uXXXX. */
export function safeJson(value: unknown, replacer?: (k: string, v: unknown) => unknown): string {
  return (JSON.stringify(value, replacer as never) ?? "null").replace(
    UNSAFE_G,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const quote = (shell: Shell) => (shell === "posix" ? quotePosix : quotePowerShell);

/** JSON for an input value, with floats kept as floats (1 → 1.0) when the dtype is floating. */
export function valueLiteral(value: unknown, dtype: string): string {
  const float = /^(float|half|bfloat|double)/.test(dtype) || dtype === "float16";
  const rec = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(rec).join(", ")}]`;
    if (typeof v === "number") {
      if (Number.isNaN(v)) return "nan";
      if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
      return float && Number.isInteger(v) ? `${v}.0` : String(v);
    }
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "boolean") return dtype === "bool" ? (v ? "True" : "False") : v ? "1" : "0";
    return safeJson(v);
  };
  return rec(value);
}

/** tf.Example feature dicts as JSON, with the values of `floats` features spelled as floats. */
export function examplesLiteral(examples: Record<string, unknown[]>[], floats: readonly string[] = []): string {
  const num = (v: unknown, float: boolean): string =>
    typeof v === "number" && float && Number.isInteger(v)
      ? `${v}.0`
      : typeof v === "bigint"
        ? v.toString()
        : safeJson(v);
  return `[${examples
    .map(
      (ex) =>
        `{${Object.entries(ex)
          .map(([k, vs]) => `${safeJson(k)}: [${(vs ?? []).map((v) => num(v, floats.includes(k))).join(", ")}]`)
          .join(", ")}}`,
    )
    .join(", ")}]`;
}

function joinAssignments(items: string[]): string {
  return items.join(";");
}

/**
 * An input key as the left side of saved_model_cli's KEY=VALUE;KEY=VALUE syntax. A key that syntax cannot carry
 * (";", "=", quotes, brackets, spaces or control characters) is refused: written anyway, it would feed other inputs.
 */
export function assignmentKey(key: string): string {
  if (key === "" || /[;=\[\]"'\s\\]/.test(key) || UNSAFE.test(key))
    throw new Error(
      `input key ${safeJson(key)} cannot be written in saved_model_cli's KEY=VALUE syntax; use the Python snippet`,
    );
  return key;
}

/** The command line: tool "saved_model_cli" (TensorFlow's) or "savedmodel" (ours, same syntax). */
export function cliCommand(r: RunRecipe, tool: "saved_model_cli" | "savedmodel", shell: Shell = "posix"): string {
  const q = quote(shell);
  const parts = [tool, "run", "--dir", q(r.dir), "--tag_set", q(r.tags.join(",")), "--signature_def", q(r.signature)];
  const exprs = r.inputs
    .filter((i) => i.kind === "expr")
    .map((i) => `${assignmentKey(i.key)}=${valueLiteral(i.value, i.dtype)}`);
  const files = r.inputs.filter((i) => i.kind === "file").map((i) => `${assignmentKey(i.key)}=${i.file}`);
  const examples = r.inputs
    .filter((i) => i.kind === "examples")
    .map((i) => (i.kind === "examples" ? `${assignmentKey(i.key)}=${examplesLiteral(i.examples, i.floats)}` : ""));
  if (files.length) parts.push("--inputs", q(joinAssignments(files)));
  if (exprs.length) parts.push("--input_exprs", q(joinAssignments(exprs)));
  if (examples.length) parts.push("--input_examples", q(joinAssignments(examples)));
  return parts.join(" ");
}

const NP_DTYPE: Record<string, string> = {
  float32: "np.float32",
  float64: "np.float64",
  float16: "np.float16",
  int8: "np.int8",
  int16: "np.int16",
  int32: "np.int32",
  int64: "np.int64",
  uint8: "np.uint8",
  uint16: "np.uint16",
  uint32: "np.uint32",
  uint64: "np.uint64",
  bool: "np.bool_",
  string: "object",
};

/** A Python string literal (JSON's escapes are Python's; raw controls, separators and bidi marks escaped). */
function pyString(s: string): string {
  return safeJson(s);
}

/** A Python snippet that runs the same signature on the same inputs with TensorFlow. */
export function pythonSnippet(r: RunRecipe): string {
  const lines = ["import numpy as np", "import tensorflow as tf", ""];
  lines.push(`model = tf.saved_model.load(${pyString(r.dir)}, tags=[${r.tags.map(pyString).join(", ")}])`);
  lines.push(`fn = model.signatures[${pyString(r.signature)}]`);
  const args: string[] = [];
  for (const i of r.inputs) {
    if (i.kind === "expr") {
      const lit =
        i.dtype === "string"
          ? valueLiteral(i.value, i.dtype)
          : valueLiteral(i.value, i.dtype)
              .replace(/\bnan\b/g, "np.nan")
              .replace(/\binf\b/g, "np.inf");
      const value = i.dtype === "string" ? lit : `np.array(${lit}, dtype=${NP_DTYPE[i.dtype] ?? "np.float32"})`;
      args.push(`    ${pyString(i.key)}: tf.constant(${value}),`);
    } else if (i.kind === "file") {
      const m = /^(.*?)(?:\[([^\]]+)\])?$/.exec(i.file)!;
      const load = m[1].endsWith(".json")
        ? `np.array(json.load(open(${pyString(m[1])})), dtype=${NP_DTYPE[i.dtype] ?? "np.float32"})`
        : m[2]
          ? `np.load(${pyString(m[1])})[${pyString(m[2])}]`
          : `np.load(${pyString(m[1])})`;
      if (m[1].endsWith(".json")) lines.unshift("import json");
      args.push(`    ${pyString(i.key)}: tf.constant(${load}),`);
    } else {
      lines.push("", `def _example(features):`);
      lines.push("    feature = {}");
      lines.push("    for name, values in features.items():");
      lines.push("        values = list(values)");
      lines.push("        if all(isinstance(v, (bytes, str)) for v in values):");
      lines.push(
        "            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[v.encode() if isinstance(v, str) else v for v in values]))",
      );
      lines.push("        elif all(isinstance(v, int) for v in values):");
      lines.push("            feature[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))");
      lines.push("        else:");
      lines.push("            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=values))");
      lines.push("    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()");
      args.push(
        `    ${pyString(i.key)}: tf.constant([_example(f) for f in ${examplesLiteral(i.examples, i.floats)}]),`,
      );
    }
  }
  // Inputs go in as a dict: a key is only ever a string literal, never code (keyword arguments would be).
  lines.push("", "inputs = {", ...args, "}", "outputs = fn(**inputs)");
  lines.push("for key, value in outputs.items():", "    print(key, value.numpy())");
  return lines.join("\n") + "\n";
}

/** TensorFlow Serving REST: the request body and the endpoint verb. */
export function servingRequest(r: RunRecipe): { verb: "predict" | "classify" | "regress"; body: string } {
  const examples = r.inputs.find((i) => i.kind === "examples");
  if (examples && examples.kind === "examples" && /classify|regress/.test(r.methodName)) {
    const verb = r.methodName.endsWith("classify") ? "classify" : "regress";
    return {
      verb,
      body: `{"signature_name": ${safeJson(r.signature)}, "examples": ${examplesLiteral(examples.examples, examples.floats)}}`,
    };
  }
  const inputs: Record<string, unknown> = {};
  for (const i of r.inputs) {
    if (i.kind === "expr") inputs[i.key] = i.dtype === "string" ? i.value : i.value;
    else if (i.kind === "file") inputs[i.key] = i.value !== undefined ? i.value : `<values of ${i.file}>`;
    else inputs[i.key] = i.examples.map((e) => ({ b64: "<serialized tf.Example>", features: e }));
  }
  const body = safeJson({ signature_name: r.signature, inputs }, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
  return { verb: "predict", body };
}

/** The curl line for TF Serving's REST API (model name from the export folder; port 8501). */
export function curlCommand(r: RunRecipe, modelName: string, shell: Shell = "posix"): string {
  const { verb, body } = servingRequest(r);
  const q = quote(shell);
  return `curl -X POST ${q(`http://localhost:8501/v1/models/${encodeURIComponent(modelName)}:${verb}`)} -H ${q("Content-Type: application/json")} -d ${q(body)}`;
}
