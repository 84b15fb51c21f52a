/**
 * Static analysis for `scan` (pure: no tfjs, no fs): which nodes read files when the model runs — text-file table
 * initializers, ReadFile, and friends — and which file each one reads, as far as the graph says: a string Const
 * (followed through Identity and through function arguments to every call site), or an asset the loader feeds
 * (asset_file_def / saved_model_assets). Each file is marked as staying inside assets/ or not.
 */
import { isPlainExportPath } from "../savedmodel/containment.js";
import { tensorflow, type IMetaGraphDef } from "../savedmodel/proto.js";
import { Program, type Body, type NodeInput } from "./graph.js";

/** Ops that read a file named by their input `fileInput` (TensorFlow's names). */
export const FILE_READING_OPS: Record<string, { input: number; what: string }> = {
  InitializeTableFromTextFile: { input: 1, what: "fills a lookup table from a text file" },
  InitializeTableFromTextFileV2: { input: 1, what: "fills a lookup table from a text file" },
  ReadFile: { input: 0, what: "reads a whole file" },
  TextLineDataset: { input: 0, what: "reads lines of files" },
  TFRecordDataset: { input: 0, what: "reads TFRecord files" },
  TFRecordDatasetV2: { input: 0, what: "reads TFRecord files" },
  FixedLengthRecordDataset: { input: 0, what: "reads records of files" },
  FixedLengthRecordDatasetV2: { input: 0, what: "reads records of files" },
  MatchingFiles: { input: 0, what: "lists files matching a pattern" },
  LoadDataset: { input: 0, what: "reads a saved dataset" },
};

export interface FileSource {
  /** the path as the graph will pass it ("assets/vocab.txt", "/etc/passwd"), when known */
  file?: string;
  /** where the path comes from */
  source: "asset" | "const" | "computed";
  /** the node producing the path (a Const, or the op computing it) */
  producer: string;
  /** true when the file is a plain path under assets/ or assets.extra/ */
  insideAssets: boolean;
}

export interface FileRead {
  op: string;
  what: string;
  node: string;
  /** function holding the node; undefined for the top-level graph */
  fn?: string;
  files: FileSource[];
}

const utf8 = new TextDecoder();
const MAX_SOURCES = 16;
const MAX_DEPTH = 32;

/** Asset tensors the loader feeds: tensor node name → "assets/<filename>". */
function assetTensors(mg: IMetaGraphDef): Map<string, string> {
  const out = new Map<string, string>();
  const add = (a: tensorflow.IAssetFileDef) => {
    const name = a.tensorInfo?.name?.replace(/:\d+$/, "");
    if (name && a.filename) out.set(name, `assets/${a.filename}`);
  };
  for (const a of mg.assetFileDef ?? []) add(a);
  for (const any of mg.collectionDef?.["saved_model_assets"]?.anyList?.value ?? []) {
    try {
      if (any.value) add(tensorflow.AssetFileDef.decode(any.value));
    } catch {
      /* not an AssetFileDef */
    }
  }
  return out;
}

/** The export-relative asset path the executor maps `path` to (it may carry the export's absolute location). */
export function assetRelative(path: string): string | undefined {
  const norm = path.replace(/\\/g, "/");
  const rel = /^(assets|assets\.extra)\//.test(norm)
    ? norm
    : norm.slice(Math.max(norm.lastIndexOf("/assets/"), norm.lastIndexOf("/assets.extra/")) + 1);
  return /^(assets|assets\.extra)\/./.test(rel) && isPlainExportPath(rel) ? rel : undefined;
}

/** A path the executor would read: plain, under assets/ or assets.extra/. */
export function staysInsideAssets(path: string): boolean {
  return assetRelative(path) !== undefined;
}

/** Every file-reading node of a meta graph (top-level graph and all library functions) with its files. */
export function fileReads(
  mg: IMetaGraphDef,
  program = new Program(mg.graphDef ?? {}, mg.metaInfoDef?.strippedOpList?.op ?? []),
): FileRead[] {
  const assets = assetTensors(mg);
  const bodies: Body[] = [program.mainBody(), ...[...program.functions.keys()].map((f) => program.functionBody(f))];
  // call sites of each function: (caller body, node index)
  const callers = new Map<string, { body: Body; node: number }[]>();
  for (const body of bodies)
    for (const n of body.nodes) {
      const called = new Set<string>();
      if (program.functions.has(n.op)) called.add(n.op);
      for (const a of Object.values(n.attrs)) {
        if (a.func?.name) called.add(a.func.name);
        for (const f of a.list?.func ?? []) if (f.name) called.add(f.name);
      }
      for (const f of called) {
        let list = callers.get(f);
        if (!list) callers.set(f, (list = []));
        list.push({ body, node: n.idx });
      }
    }

  const sources = (body: Body, input: NodeInput | undefined, depth: number, out: FileSource[], seen: Set<string>) => {
    if (!input || out.length >= MAX_SOURCES || depth > MAX_DEPTH) return;
    const key = `${body.name}\0${input.node}\0${input.index}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (input.node < 0) {
      // a function argument: whatever every call site passes (a call's inputs map to the callee's args in order;
      // functional ops like If/While/PartitionedCall pass their data inputs after any predicate/cond)
      const arg = -1 - input.node;
      for (const c of callers.get(body.name) ?? []) {
        const caller = c.body.nodes[c.node];
        const offset = caller.op === "If" || caller.op === "StatelessIf" ? 1 : 0;
        sources(c.body, caller.inputs[arg + offset], depth + 1, out, seen);
      }
      return;
    }
    const n = body.nodes[input.node];
    if (!n) return;
    const producer = body.name ? `${body.name}/${n.name}` : n.name;
    if (!body.isFunction && assets.has(n.name)) {
      out.push({ file: assets.get(n.name), source: "asset", producer, insideAssets: true });
      return;
    }
    if (n.op === "Const") {
      const t = n.attrs["value"]?.tensor;
      const v = t?.stringVal?.[0];
      if (v) {
        const file = utf8.decode(v);
        out.push({ file, source: "const", producer, insideAssets: staysInsideAssets(file) });
        return;
      }
    }
    if (["Identity", "PlaceholderWithDefault", "Snapshot", "StopGradient"].includes(n.op)) {
      sources(body, n.inputs[0], depth + 1, out, seen);
      return;
    }
    if (n.op === "IdentityN") {
      sources(body, n.inputs[input.index], depth + 1, out, seen);
      return;
    }
    out.push({ source: "computed", producer: `${producer} (${n.op})`, insideAssets: false });
  };

  const out: FileRead[] = [];
  for (const body of bodies)
    for (const n of body.nodes) {
      const spec = FILE_READING_OPS[n.op];
      if (!spec) continue;
      const files: FileSource[] = [];
      sources(body, n.inputs[spec.input], 0, files, new Set());
      out.push({ op: n.op, what: spec.what, node: n.name, fn: body.name || undefined, files });
    }
  return out;
}
