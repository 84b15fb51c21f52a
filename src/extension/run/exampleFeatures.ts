/**
 * The tf.Example features a model parses (ParseExample, ParseExampleV2, ParseSingleExample nodes in the
 * graph or its functions), so the run form's tf.Example builder starts with the right names and types.
 * Pure (no vscode): reads the GraphDef through src/savedmodel.
 */
import { DataType as DT } from "../../savedmodel/dtypes.js";
import type { INodeDef } from "../../savedmodel/proto.js";
import { stringValues, tensorFromProto } from "../../savedmodel/tensor.js";
import type { ExampleFeatureRow } from "../../protocol/run.js";

type Kind = ExampleFeatureRow["kind"];

function kindOf(dtype: number | null | undefined): Kind {
  return dtype === DT.DT_INT64 ? "int64" : dtype === DT.DT_STRING ? "bytes" : "float";
}

/** Features parsed by the nodes of one body (top-level graph or one function), in declaration order. */
export function featuresOfNodes(nodes: readonly INodeDef[]): ExampleFeatureRow[] {
  const byName = new Map(nodes.map((n) => [n.name ?? "", n]));
  const constStrings = (input: string | undefined): string[] => {
    if (!input) return [];
    // "node", "node:0" at top level; "node:output:0" inside functions
    const name = input.replace(/^\^/, "").split(":")[0];
    const n = byName.get(name);
    const t = n?.op === "Const" ? n.attr?.["value"]?.tensor : undefined;
    if (!t) return [];
    try {
      return stringValues(tensorFromProto(t));
    } catch {
      return [];
    }
  };
  const types = (n: INodeDef, attr: string): number[] => (n.attr?.[attr]?.list?.type ?? []).map(Number);
  const out: ExampleFeatureRow[] = [];
  const add = (names: string[], kinds: number[]) =>
    names.forEach((name, i) => out.push({ name, kind: kindOf(kinds[i]), values: "" }));
  for (const n of nodes) {
    const inputs = (n.input ?? []).filter((i) => !i.startsWith("^"));
    if (n.op === "ParseExample") {
      const ns = Number(n.attr?.["Nsparse"]?.i ?? 0);
      const nd = Number(n.attr?.["Ndense"]?.i ?? 0);
      add(inputs.slice(2 + ns, 2 + ns + nd).flatMap(constStrings), types(n, "Tdense"));
      add(inputs.slice(2, 2 + ns).flatMap(constStrings), types(n, "sparse_types"));
    } else if (n.op === "ParseExampleV2") {
      add(constStrings(inputs[3]), types(n, "Tdense"));
      add(constStrings(inputs[2]), types(n, "sparse_types"));
      add(constStrings(inputs[4]), types(n, "ragged_value_types"));
    } else if (n.op === "ParseSingleExample") {
      const dec = (a: string) => (n.attr?.[a]?.list?.s ?? []).map((b) => new TextDecoder().decode(b));
      add(dec("dense_keys"), types(n, "Tdense"));
      add(dec("sparse_keys"), types(n, "sparse_types"));
    }
  }
  const seen = new Set<string>();
  return out.filter((f) => f.name && !seen.has(f.name) && seen.add(f.name));
}

/** Features parsed anywhere in a GraphDef (its nodes, then its library functions). */
export function exampleFeatures(graph: {
  node?: INodeDef[] | null;
  library?: { function?: { nodeDef?: INodeDef[] | null }[] | null } | null;
}): ExampleFeatureRow[] {
  const all = [
    featuresOfNodes(graph.node ?? []),
    ...(graph.library?.function ?? []).map((f) => featuresOfNodes(f.nodeDef ?? [])),
  ].flat();
  const seen = new Set<string>();
  return all.filter((f) => !seen.has(f.name) && seen.add(f.name));
}
