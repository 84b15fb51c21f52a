/**
 * TF1 control-flow ops. Bodies that contain them run on the dynamic scheduler (tf1flow.ts at the
 * executor's root), which implements these ops itself; the entries here make them known (missingOps,
 * scan) and fail loudly if a static schedule ever reached one.
 */
import { TF1_FLOW_OPS } from "../graph.js";
import type { KernelTable } from "../kernel.js";

export const tf1FlowKernels: KernelTable = Object.fromEntries(
  [...TF1_FLOW_OPS].map((op) => [
    op,
    {
      deadInputs: true,
      refInputs: true,
      run: () => {
        throw new Error(
          `${op} runs only under the TF1 control-flow scheduler (internal error: reached a static schedule)`,
        );
      },
    },
  ]),
);
