/** GraphSource from a decoded SavedModel message (until src/savedmodel/savedModel.ts offers lazy access). */
import type { ISavedModel } from "../savedmodel/proto.js";
import type { GraphSource } from "./build.js";

export function graphSourceFromSavedModel(sm: ISavedModel, metaGraphIndex = 0): GraphSource {
  const mg = sm.metaGraphs?.[metaGraphIndex];
  if (!mg) throw new Error(`the SavedModel has no meta graph #${metaGraphIndex}`);
  return {
    graphDef: mg.graphDef ?? {},
    strippedOps: mg.metaInfoDef?.strippedOpList?.op ?? [],
    signatures: mg.signatureDef ?? {},
  };
}
