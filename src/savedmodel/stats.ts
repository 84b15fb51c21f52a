/** Model statistics: node counts, op histogram (graph + every function body), custom ops, parameters. */
import type { ModelStats, ModelVariables } from "./modelTypes.js";
import { hasRegistryOp } from "./opRegistry/index.js";
import type { MetaGraph } from "./savedModel.js";

export function computeStats(mg: MetaGraph, vars?: ModelVariables): ModelStats {
  const hist = new Map<string, number>();
  const count = (op: string) => hist.set(op, (hist.get(op) ?? 0) + 1);
  const nodes = mg.nodes();
  for (const n of nodes) count(n.op ?? "");
  const fnNames = new Set(mg.functionSummaries.map((f) => f.name));
  let functionNodeCount = 0;
  for (const s of mg.functionSummaries) {
    const f = mg.functionDef(s.name);
    for (const n of f?.nodeDef ?? []) {
      count(n.op ?? "");
      functionNodeCount++;
    }
  }
  const opHistogram = [...hist.entries()]
    .map(([op, c]) => ({ op, count: c }))
    .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1));
  const customOps = opHistogram.map((h) => h.op).filter((op) => op && !hasRegistryOp(op) && !fnNames.has(op));
  return {
    nodeCount: nodes.length + functionNodeCount,
    graphNodeCount: nodes.length,
    functionCount: fnNames.size,
    functionNodeCount,
    opHistogram,
    customOps,
    parameterCount: vars?.parameterCount,
    variableBytes: vars?.totalBytes,
  };
}
