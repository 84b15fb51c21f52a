/** Function calls into the library and TF2 functional control flow (If, While, Case). */
import { attrFunc, attrFuncList } from "../attrs.js";
import { checkAbort, executeBody, hold, release } from "../interpreter.js";
import type { KernelTable, OpContext, RunState } from "../kernel.js";
import { isTensor, type Value } from "../values.js";

/** Calls library function `name` (after CPU implementation selection) with `args`. */
export async function callFunction(run: RunState, name: string, args: Value[]): Promise<Value[]> {
  const program = run.session.program;
  const chosen = program.selectImplementation(name);
  if (run.depth >= run.session.maxCallDepth) {
    throw new Error(
      `function calls nest deeper than ${run.session.maxCallDepth} (recursive function?): ${run.stack.slice(-4).join(" → ")} → ${chosen}`,
    );
  }
  const body = program.functionBody(chosen);
  if (args.length !== body.args.length) {
    throw new Error(`function "${chosen}" takes ${body.args.length} arguments, got ${args.length}`);
  }
  run.depth++;
  run.stack.push(chosen);
  try {
    checkAbort(run);
    return await executeBody(body, run, { args, fetches: body.rets, targets: body.controlRets });
  } finally {
    run.depth--;
    run.stack.pop();
  }
}

async function truthy(v: Value): Promise<boolean> {
  if (!isTensor(v)) throw new Error("condition is not a tensor");
  if (v.rank === 0) {
    if (v.dtype === "string") return ((await v.bytes()) as Uint8Array[])[0].length > 0;
    return (await v.data())[0] !== 0;
  }
  return v.size > 0;
}

async function ifOp(c: OpContext): Promise<Value[]> {
  const cond = await truthy(c.inputs[0]);
  const f = attrFunc(c.attrs, cond ? "then_branch" : "else_branch");
  return callFunction(c.run, f.name, c.inputs.slice(1));
}

async function caseOp(c: OpContext): Promise<Value[]> {
  const idxT = c.inputs[0];
  if (!isTensor(idxT)) throw new Error("branch_index is not a tensor");
  const branches = attrFuncList(c.attrs, "branches");
  let i = (await idxT.data())[0] as number;
  if (i < 0 || i >= branches.length) i = branches.length - 1;
  return callFunction(c.run, branches[i].name, c.inputs.slice(1));
}

async function whileOp(c: OpContext): Promise<Value[]> {
  const cond = attrFunc(c.attrs, "cond").name;
  const body = attrFunc(c.attrs, "body").name;
  const run = c.run;
  let cur = c.inputs;
  let owned = false;
  for (let iter = 0; ; iter++) {
    checkAbort(run);
    const [p] = await callFunction(run, cond, cur);
    const go = await truthy(p);
    if (isTensor(p) && !cur.includes(p)) release(run, p);
    if (!go) break;
    const next = await callFunction(run, body, cur);
    for (const v of next) hold(run, v);
    if (owned) for (const v of cur) release(run, v);
    cur = next;
    owned = true;
    if ((iter & 15) === 15) await new Promise<void>((r) => setImmediate(r));
  }
  if (owned) for (const v of cur) release(run, v, false);
  return cur;
}

async function partitionedCall(c: OpContext): Promise<Value[]> {
  return callFunction(c.run, attrFunc(c.attrs, "f").name, c.inputs);
}

export const functionalKernels: KernelTable = markCalls({
  __function_call__: { run: (c) => callFunction(c.run, c.node.op, c.inputs) },
  StatefulPartitionedCall: { run: partitionedCall },
  PartitionedCall: { run: partitionedCall },
  If: { run: ifOp },
  StatelessIf: { run: ifOp },
  Case: { run: caseOp },
  StatelessCase: { run: caseOp },
  While: { run: whileOp },
  StatelessWhile: { run: whileOp },
  // Keras exports wrap some calls; the op is a plain identity on its inputs at inference time.
  SymbolicGradient: {
    run: () => {
      throw new Error("SymbolicGradient (gradient computation) is not supported by the executor");
    },
  },
});

function markCalls(t: KernelTable): KernelTable {
  for (const [op, k] of Object.entries(t)) if (op !== "SymbolicGradient") k.calls = true;
  return t;
}
