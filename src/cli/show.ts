/**
 * `savedmodel show`: the same output, line for line in structure, as TensorFlow's
 * `saved_model_cli show` (tag-sets, signature keys, one signature, or --all with the
 * "Concrete Functions" part for TF2 exports) — read from the files, never by loading the model.
 * `--json` prints the documented `savedmodel.show/1` schema instead (see README).
 */
import { NodeFileAccess } from "../savedmodel/node/nodeFileAccess.js";
import { openSavedModel, type SavedModelExport } from "../savedmodel/savedModel.js";
import {
  concreteFunctions,
  describeModel,
  type MetaGraphInfo,
  type ModelInfo,
  type ObjectFunctionInfo,
  type SignatureInfo,
  type StructuredArg,
  type TensorSpecInfo,
} from "../savedmodel/model.js";
import { parseFlags, UsageError, type CliIO } from "./io.js";
import { escapeControl } from "./escape.js";
import { ExitCode } from "./exitCodes.js";
import { resolve } from "node:path";

export const SHOW_USAGE = `usage: savedmodel show DIR [--tag_set TAGS] [--signature_def KEY] [--all] [--json]

  DIR                 the SavedModel export folder (or --dir DIR)
  --tag_set TAGS      comma-separated tag-set of the MetaGraphDef, e.g. serve or serve,gpu
  --signature_def KEY show the inputs and outputs of one SignatureDef (needs --tag_set)
  --all               show every MetaGraphDef, SignatureDef and (TF2) concrete function
  --json              print JSON (schema "savedmodel.show/1") instead of text`;

export interface ShowJson {
  schema: "savedmodel.show/1";
  location: string;
  format: "binary" | "text";
  savedModelFile: string;
  schemaVersion: number;
  tagSets: string[][];
  files: ModelInfo["files"];
  fingerprint?: ModelInfo["fingerprint"];
  metaGraphs: (MetaGraphInfo & { concreteFunctions?: ObjectFunctionInfo[] })[];
  diagnostics: ModelInfo["diagnostics"];
}

function sameTags(a: string[], b: string[]): boolean {
  return [...a].sort().join(",") === [...b].sort().join(",");
}

function parseTagSet(s: string): string[] {
  return s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

const pyRepr = (s: string) =>
  s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function printTensorInfo(lines: string[], t: TensorSpecInfo, indent: number): void {
  const pad = "  ".repeat(indent);
  lines.push(`${pad}    dtype: ${t.dtypeName}`);
  lines.push(`${pad}    shape: ${t.shape === undefined ? "unknown_rank" : `(${t.shape.join(", ")})`}`);
  lines.push(`${pad}    name: ${escapeControl(t.tensorName ?? "")}`);
}

function printSignature(lines: string[], s: SignatureInfo, indent: number): void {
  const pad = "  ".repeat(indent);
  lines.push(`${pad}The given SavedModel SignatureDef contains the following input(s):`);
  for (const t of s.inputs) {
    lines.push(`${pad}  inputs['${escapeControl(t.key)}'] tensor_info:`);
    printTensorInfo(lines, t, indent + 1);
  }
  lines.push(`${pad}The given SavedModel SignatureDef contains the following output(s):`);
  for (const t of s.outputs) {
    lines.push(`${pad}  outputs['${escapeControl(t.key)}'] tensor_info:`);
    printTensorInfo(lines, t, indent + 1);
  }
  lines.push(`${pad}Method name is: ${escapeControl(s.methodName)}`);
}

function allSignatures(mg: MetaGraphInfo): SignatureInfo[] {
  return [...mg.signatures, ...(mg.initSignature ? [mg.initSignature] : [])].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
}

function printArgs(lines: string[], args: StructuredArg[], argumentType: string): void {
  const indentStr = "        ";
  args.forEach((a, i) => {
    lines.push(`${indentStr}${argumentType} #${i + 1}`);
    if (a.kind === "tensor_spec") lines.push(`          ${escapeControl(a.name)}: ${escapeControl(a.repr)}`);
    else if (a.pyType === "str") lines.push(`${indentStr}  ${escapeControl(a.repr.replace(/^'|'$/g, ""))}`);
    else if (a.pyType === "list" || a.pyType === "tuple") {
      const inner = a.repr.slice(1, -1).replace(/,\s*$/, "");
      const items = inner ? splitTopLevel(inner) : [];
      lines.push(`${indentStr}  DType: ${a.pyType}`);
      lines.push(`${indentStr}  Value: [${items.map((x) => `${escapeControl(x)}, `).join("")}\b\b]`);
    } else {
      lines.push(`${indentStr}  DType: ${a.pyType}`);
      lines.push(`${indentStr}  Value: ${escapeControl(a.repr)}`);
    }
  });
}

/** Splits "a, f(b, c), [d, e]" at top-level commas. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  let quote = "";
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function printConcreteFunctions(lines: string[], fns: ObjectFunctionInfo[]): void {
  // saved_model_cli prints '\nConcrete Functions:' with end='' and each function starts with '\n'
  let text = "\nConcrete Functions:";
  const body: string[] = [];
  for (const f of fns) {
    body.push(`\n  Function Name: '${escapeControl(f.name)}'`);
    f.options.forEach((o, i) => {
      const opt: string[] = [];
      if (o.args.length) {
        opt.push(`    Option #${i + 1}`, "      Callable with:");
        printArgs(opt, o.args, "Argument");
      }
      if (o.kwargs.length) printArgs(opt, o.kwargs, "Named Argument");
      if (opt.length) body.push(opt.join("\n"));
    });
  }
  text += body.join("\n");
  lines.push(...text.split("\n"));
}

export async function showText(
  exp: SavedModelExport,
  info: ModelInfo,
  opts: { tagSet?: string[]; signatureDef?: string; all?: boolean },
): Promise<string> {
  const lines: string[] = [];
  if (opts.all) {
    const mgs = [...info.metaGraphs].sort((a, b) => (a.tags.join(",") < b.tags.join(",") ? -1 : 1));
    for (const mg of mgs) {
      lines.push(
        "",
        `MetaGraphDef with tag-set: '${escapeControl(mg.tags.join(", "))}' contains the following SignatureDefs:`,
      );
      for (const s of allSignatures(mg)) {
        lines.push("", `signature_def['${escapeControl(s.key)}']:`);
        printSignature(lines, s, 1);
      }
    }
    const withObjects = exp.metaGraphs.filter((m) => m.hasObjectGraph);
    if (withObjects.length) await withObjects[0].loadObjectGraph();
    if (withObjects.length) printConcreteFunctions(lines, concreteFunctions(withObjects[0]));
    return lines.join("\n") + "\n";
  }
  if (!opts.tagSet) {
    lines.push("The given SavedModel contains the following tag-sets:");
    for (const tags of info.metaGraphs.map((m) => [...m.tags].sort().join(", ")).sort())
      lines.push(escapeControl(pyRepr(tags)));
    return lines.join("\n") + "\n";
  }
  const mg = findMetaGraph(info, opts.tagSet);
  if (!opts.signatureDef) {
    lines.push("The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:");
    for (const s of allSignatures(mg)) lines.push(`SignatureDef key: "${escapeControl(s.key)}"`);
    return lines.join("\n") + "\n";
  }
  const sig = allSignatures(mg).find((s) => s.key === opts.signatureDef);
  if (!sig) {
    throw new UsageError(
      `SignatureDef ${pyRepr(opts.signatureDef)} not found in the MetaGraphDef with tag-set ${pyRepr(opts.tagSet.join(","))}; available: ${allSignatures(
        mg,
      )
        .map((s) => s.key)
        .join(", ")}`,
    );
  }
  printSignature(lines, sig, 0);
  return lines.join("\n") + "\n";
}

/** Text lines with the control characters of model strings escaped (saved_model_cli's own "\b\b]" kept). */
function escapeLines(text: string): string {
  return text
    .split("\n")
    .map((l) => escapeControl(l).replace(/\\x08\\x08\]$/, "\b\b]"))
    .join("\n");
}

function findMetaGraph(info: ModelInfo, tagSet: string[]): MetaGraphInfo {
  const mg = info.metaGraphs.find((m) => sameTags(m.tags, tagSet));
  if (!mg) {
    throw new UsageError(
      `MetaGraphDef associated with tag-set ${pyRepr(tagSet.join(","))} could not be found in SavedModel; available tag-sets: ${info.metaGraphs
        .map((m) => pyRepr(m.tags.join(",")))
        .join(", ")}`,
    );
  }
  return mg;
}

export async function showJson(
  exp: SavedModelExport,
  info: ModelInfo,
  opts: { tagSet?: string[]; signatureDef?: string; all?: boolean },
): Promise<ShowJson> {
  let mgs: ShowJson["metaGraphs"] = info.metaGraphs;
  if (opts.tagSet) {
    const mg = findMetaGraph(info, opts.tagSet);
    mgs = [mg];
    if (opts.signatureDef) {
      const sig = allSignatures(mg).find((s) => s.key === opts.signatureDef);
      if (!sig) throw new UsageError(`SignatureDef ${pyRepr(opts.signatureDef)} not found`);
      mgs = [{ ...mg, signatures: sig.hidden ? [] : [sig], initSignature: sig.hidden ? sig : undefined }];
    }
  }
  if (opts.all) {
    for (const m of mgs) await exp.metaGraphs[m.index].loadObjectGraph();
    mgs = mgs.map((m) => {
      const handle = exp.metaGraphs[m.index];
      return handle.hasObjectGraph ? { ...m, concreteFunctions: concreteFunctions(handle) } : m;
    });
  }
  return {
    schema: "savedmodel.show/1",
    location: info.location,
    format: info.format,
    savedModelFile: info.savedModelFile,
    schemaVersion: info.schemaVersion,
    tagSets: info.metaGraphs.map((m) => m.tags),
    files: info.files,
    fingerprint: info.fingerprint,
    metaGraphs: mgs,
    diagnostics: info.diagnostics,
  };
}

export async function showCommand(argv: string[], io: CliIO): Promise<number> {
  const { flags, positional } = parseFlags(argv, {
    values: ["dir", "tag_set", "signature_def"],
    booleans: ["all", "json", "help"],
  });
  if (flags.help) {
    io.out(SHOW_USAGE + "\n");
    return 0;
  }
  const dir = (flags.dir as string | undefined) ?? positional[0];
  if (!dir) throw new UsageError("show needs the export folder: savedmodel show DIR");
  if (flags.signature_def && !flags.tag_set) throw new UsageError("--signature_def needs --tag_set");
  // the first view: the graph stays on disk (only the nodes behind TF2 signatures are read)
  const exp = await openSavedModel(new NodeFileAccess(resolve(io.cwd, dir)), { graphOnDemand: true });
  const info = await describeModel(exp);
  const opts = {
    tagSet: flags.tag_set ? parseTagSet(flags.tag_set as string) : undefined,
    signatureDef: flags.signature_def as string | undefined,
    all: !!flags.all,
  };
  if (flags.json) io.out(JSON.stringify(await showJson(exp, info, opts), jsonReplacer, 2) + "\n");
  else {
    io.out(escapeLines(await showText(exp, info, opts)));
    for (const d of info.diagnostics.filter((x) => x.severity !== "info"))
      io.err(
        `${d.severity}: ${escapeControl(`${d.file}${d.field ? ` (${d.field})` : ""}: ${d.message}${d.hint ? ` — ${d.hint}` : ""}`)}\n`,
      );
  }
  return info.diagnostics.some((d) => d.severity === "error") ? ExitCode.Export : ExitCode.Ok;
}

/** JSON.stringify replacer: bigint as decimal strings, typed arrays as plain arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number | bigint>, (x) =>
      typeof x === "bigint" ? x.toString() : x,
    );
  return value;
}
