/** Structural stress exports (deep call chains, doubling call DAGs, huge node counts) for the decoding limits. */
import { GraphBuilder, SavedModelBuilder, type FunctionHandle } from "../../src/savedmodel/builder/index.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";

/** serving_default calls f_0, f_i calls f_{i+1} `fanout` times, f_{depth} returns its input. */
export async function writeCallChainExport(dir: string, depth: number, fanout = 1): Promise<void> {
  const g = new GraphBuilder();
  const F = DT.DT_FLOAT;
  let next: FunctionHandle | undefined;
  for (let i = depth; i >= 0; i--) {
    const callee: FunctionHandle | undefined = next;
    next = g.function(`f_${i}`, {
      inputs: [{ name: "x", dtype: F, shape: [] }],
      body: (f, x) => {
        if (!callee) return [x];
        let y = x;
        for (let k = 0; k < fanout; k++) y = f.call(callee, [y], { name: `call_${k}` }).output;
        return [y];
      },
    });
  }
  const x = g.placeholder("x", F, []);
  const y = g.identity("y", g.call(next!, [x]).output);
  y.shape = [];
  const b = new SavedModelBuilder({ tfVersion: "2.15.0" }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { x }, outputs: { y } } },
    saver: false,
  });
  await writeExportToDir(b.save({ format: "binary" }), dir);
}
