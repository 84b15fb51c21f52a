/**
 * The comparison editor's node changes of one meta graph, grouped as the page lists them: per signature the
 * changes in what it runs (the count shown is the number of rows below it), then the changes no signature
 * reaches (initializers, savers, unused functions). Pure, no DOM.
 */
import type { GraphDiff, NodeChange } from "../../savedmodel/diff/types.js";

export interface NodeChangeGroup {
  /** The signature, or undefined for the changes outside every signature. */
  signature?: string;
  nodes: NodeChange[];
}

const id = (c: NodeChange) => `${c.kind}\u0000${c.function}\u0000${c.node}`;

export function nodeChangeGroups(g: Pick<GraphDiff, "nodes" | "signatures">): NodeChangeGroup[] {
  const out: NodeChangeGroup[] = g.signatures.map((s) => ({ signature: s.signature, nodes: s.nodes }));
  const reached = new Set(g.signatures.flatMap((s) => s.nodes.map(id)));
  const outside = g.nodes.filter((c) => !reached.has(id(c)));
  if (outside.length) out.push({ nodes: outside });
  return out;
}
