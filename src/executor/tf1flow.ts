/** TF1 control flow (Switch/Merge/Enter/Exit/NextIteration): dynamic scheduler. */
import type { Body } from "./graph.js";
import type { ExecRequest } from "./interpreter.js";
import type { RunState } from "./kernel.js";
import type { Value } from "./values.js";

export async function executeDynamic(body: Body, _run: RunState, _req: ExecRequest): Promise<Value[]> {
  throw new Error(`${body.name ? `function "${body.name}"` : "the graph"} uses TF1 control flow (Switch/Merge/Enter/Exit), which the executor does not run yet`);
}
