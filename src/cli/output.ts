/** The CLI's output files (`vars --export`, `run --outdir`): checked by the output guard, refusals as usage errors. */
import { OutputRefusedError } from "../savedmodel/containment.js";
import { checkOutputPath, writeOutputFile, type OutputCheck } from "../savedmodel/node/outputGuard.js";
import { UsageError } from "./io.js";

export async function guardOutput(
  target: string,
  exportDir: string,
  opts: { overwrite?: boolean; kind?: "file" | "directory" } = {},
): Promise<OutputCheck> {
  try {
    return await checkOutputPath(target, exportDir, opts);
  } catch (e) {
    if (e instanceof OutputRefusedError) throw new UsageError(e.message);
    throw e;
  }
}

export { writeOutputFile };
