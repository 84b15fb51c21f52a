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
    objectGraph: mg.objectGraphDef ?? null,
  };
}

/** The parts of src/savedmodel/savedModel.ts `MetaGraph` the graph view needs (decodes graph_def on demand). */
export interface MetaGraphLike {
  graphDef(): import("../savedmodel/proto.js").IGraphDef;
  readonly metaInfo?: import("../savedmodel/proto.js").tensorflow.MetaGraphDef.IMetaInfoDef | null;
  readonly signatureDefs: Record<string, import("../savedmodel/proto.js").ISignatureDef>;
  objectGraph?(): import("../savedmodel/proto.js").tensorflow.ISavedObjectGraph | undefined;
}

export function graphSourceFromMetaGraph(mg: MetaGraphLike): GraphSource {
  return {
    graphDef: mg.graphDef(),
    strippedOps: mg.metaInfo?.strippedOpList?.op ?? [],
    signatures: mg.signatureDefs,
    objectGraph: objectGraphOf(mg),
  };
}

/** The object graph when it decodes (it only picks the default view: a damaged one is not an error here). */
function objectGraphOf(mg: MetaGraphLike) {
  try {
    return mg.objectGraph?.() ?? null;
  } catch {
    return null;
  }
}

/** keras_metadata.pb's objects when the export has one that decodes (layer names and classes; optional). */
export async function readKerasMetadata(
  fs: import("../savedmodel/fileAccess.js").FileAccess,
  path = "keras_metadata.pb",
): Promise<import("../savedmodel/proto.js").tensorflow.IKerasSavedObject[] | null> {
  try {
    const size = await fs.size(path);
    if (size === undefined || size > 256 * 1024 * 1024) return null;
    const { SavedMetadata } = await import("../savedmodel/proto.js");
    return SavedMetadata.decode(await fs.readFile(path)).nodes ?? null;
  } catch {
    return null;
  }
}
