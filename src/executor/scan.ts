/**
 * Static scan for unsafe ops (pure: no tfjs): every node of the graph and of every library function,
 * with the function it is in and the signatures (and init ops) that reach it.
 */
import type { IMetaGraphDef } from "../savedmodel/proto.js";
import { hasRegistryOp } from "../savedmodel/opRegistry/index.js";
import { Program, neededNodes, type Body } from "./graph.js";
import { KNOWN_CUSTOM_OP, SCAN_DENYLIST } from "./unsafeOps.js";

export interface ScanFinding {
  op: string;
  why: string;
  node: string;
  /** The library function holding the node; undefined for the top-level graph. */
  fn?: string;
  /** Signature keys (and "<init op>"/"<restore op>") whose execution reaches the node. */
  reachedFrom: string[];
  /** Part of the checkpoint saver (reached only from saver_def.save_tensor_name): never run when serving. */
  saver?: boolean;
}

function calledFunctions(body: Body, n: number, program: Program): string[] {
  const node = body.nodes[n];
  const out: string[] = [];
  for (const a of Object.values(node.attrs)) {
    if (a.func?.name) out.push(a.func.name);
    for (const f of a.list?.func ?? []) if (f.name) out.push(f.name);
  }
  if (program.functions.has(node.op)) out.push(node.op);
  // Both implementations count for a scan: Grappler may pick either.
  return out;
}

/** Functions reached from roots in the main graph (transitively through calls). */
function reach(program: Program, roots: number[]): { mainNodes: Set<number>; fns: Set<string> } {
  const main = program.mainBody();
  const mainNodes = neededNodes(main, roots, new Set());
  const fns = new Set<string>();
  const queue: string[] = [];
  const add = (body: Body, nodes: Iterable<number>) => {
    for (const n of nodes)
      for (const f of calledFunctions(body, n, program))
        if (!fns.has(f) && program.functions.has(f)) {
          fns.add(f);
          queue.push(f);
        }
  };
  add(main, mainNodes);
  while (queue.length) {
    const f = queue.pop()!;
    const b = program.functionBody(f);
    add(
      b,
      b.nodes.map((x) => x.idx),
    );
  }
  return { mainNodes, fns };
}

function tensorNode(main: Body, name: string): number | undefined {
  return main.byName.get(name.replace(/^\^/, "").replace(/:\d+$/, ""));
}

/** The compiled graph a scan walks; pass one to customOps, scanMetaGraph and fileReads so bodies compile once. */
export function scanProgram(mg: IMetaGraphDef): Program {
  return new Program(mg.graphDef ?? {}, mg.metaInfoDef?.strippedOpList?.op ?? []);
}

/**
 * Ops TensorFlow itself does not define (custom ops: TF Text, Decision Forests, ...): they need native
 * libraries loaded into the process that runs the model, so a scan names them too. op → nodes.
 */
export function customOps(mg: IMetaGraphDef, program = scanProgram(mg)): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (body: Body) => {
    for (const n of body.nodes) {
      const custom =
        KNOWN_CUSTOM_OP.test(n.op) || (!hasRegistryOp(n.op) && !program.functions.has(n.op) && !n.op.startsWith("_"));
      if (!custom) continue;
      out.set(n.op, [...(out.get(n.op) ?? []), body.name ? `${body.name}/${n.name}` : n.name]);
    }
  };
  visit(program.mainBody());
  for (const name of program.functions.keys()) visit(program.functionBody(name));
  return out;
}

/** Scans one meta graph. `denylist` defaults to SCAN_DENYLIST (op → why). */
export function scanMetaGraph(
  mg: IMetaGraphDef,
  denylist: Record<string, string> = SCAN_DENYLIST,
  program = scanProgram(mg),
): ScanFinding[] {
  const main = program.mainBody();
  const entries: [string, number[]][] = [];
  for (const [key, sig] of Object.entries(mg.signatureDef ?? {})) {
    const roots = Object.values(sig.outputs ?? {})
      .map((t) => tensorNode(main, t.name ?? ""))
      .filter((n): n is number => n !== undefined);
    entries.push([key, roots]);
  }
  const initName =
    mg.collectionDef?.["saved_model_main_op"]?.nodeList?.value?.[0] ??
    mg.collectionDef?.["legacy_init_op"]?.nodeList?.value?.[0];
  if (initName) {
    const n = tensorNode(main, initName);
    if (n !== undefined) entries.push(["<init op>", [n]]);
  }
  const restore = mg.saverDef?.restoreOpName;
  if (restore) {
    const n = tensorNode(main, restore);
    if (n !== undefined) entries.push(["<restore op>", [n]]);
  }
  const reached = entries.map(([k, roots]) => [k, reach(program, roots)] as const);
  const saveName = mg.saverDef?.saveTensorName;
  const saveNode = saveName ? tensorNode(main, saveName) : undefined;
  const saver = saveNode !== undefined ? reach(program, [saveNode]) : undefined;
  const findings: ScanFinding[] = [];
  const check = (body: Body, fn?: string) => {
    for (const node of body.nodes) {
      const why = denylist[node.op];
      if (why === undefined) continue;
      const from = reached.filter(([, r]) => (fn ? r.fns.has(fn) : r.mainNodes.has(node.idx))).map(([k]) => k);
      const f: ScanFinding = { op: node.op, why, node: node.name, fn, reachedFrom: from };
      // TF2 exports keep the object graph's save function (__inference__traced_save_N) unreferenced by the graph.
      const tracedSave = fn !== undefined && /^__inference__traced_save_\d+$/.test(fn);
      if (!from.length && (tracedSave || (saver && (fn ? saver.fns.has(fn) : saver.mainNodes.has(node.idx)))))
        f.saver = true;
      findings.push(f);
    }
  };
  check(main);
  for (const name of [...program.functions.keys()].sort()) check(program.functionBody(name), name);
  return findings;
}
