/**
 * Small hostile exports for the hostile corpus, written with our builder at test time (no binaries committed).
 */
import { attr, GraphBuilder, SavedModelBuilder } from "../../src/savedmodel/builder/index.js";
import { demoExport, DEMO_SAVE_OPTIONS } from "../../src/savedmodel/builder/demo.js";
import { halfPlusTwo } from "../../src/savedmodel/builder/models.js";
import { writeExportToDir } from "../../src/savedmodel/node/nodeWriter.js";
import { DataType as DT } from "../../src/savedmodel/dtypes.js";

/** A TF1 export whose serving_default returns ReadFile("assets/<file>") (plus an asset of that name). */
export async function writeReadFileExport(dir: string, file = "secret.txt"): Promise<void> {
  const g = new GraphBuilder();
  const x = g.placeholder("x", DT.DT_FLOAT, []);
  const path = g.constStr("path", `assets/${file}`);
  const contents = g.op("ReadFile", "read_file", [path]).output;
  contents.shape = [];
  const b = new SavedModelBuilder({ tfVersion: "1.15.0", producer: 134 }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { x }, outputs: { contents } } },
    assets: [{ filename: file, contents: "harmless asset\n" }],
    saver: false,
  });
  await writeExportToDir(b.save({ format: "binary" }), dir);
}

/** The demo CNN: a text-file table initializer fed assets/labels.txt; predict_labels looks labels up. */
export async function writeTableExport(dir: string): Promise<void> {
  await writeExportToDir(demoExport().save(DEMO_SAVE_OPTIONS), dir);
}

/** half_plus_two (TF1) with assets/foo.txt; optionally Snappy-compressed index blocks. */
export async function writeHalfPlusTwo(dir: string, opts: { tf2?: boolean; snappy?: boolean } = {}): Promise<void> {
  await writeExportToDir(halfPlusTwo({ tf2: opts.tf2 }).save({ format: "binary", snappy: opts.snappy }), dir);
}

export { attr };

/** A TF1 export whose serving_default reaches WriteFile("/tmp/x", ...): refused before running. */
export async function writeWriteFileExport(dir: string, target: string): Promise<void> {
  const g = new GraphBuilder();
  const x = g.placeholder("x", DT.DT_STRING, []);
  const path = g.constStr("target", target);
  const w = g.op("WriteFile", "write_file", [path, x]);
  const y = g.identity("y", x, { control: [w] });
  y.shape = [];
  const b = new SavedModelBuilder({ tfVersion: "1.15.0", producer: 134 }).addMetaGraphAndVariables(["serve"], {
    graph: g,
    signatureDefs: { serving_default: { inputs: { x }, outputs: { y } } },
    saver: false,
  });
  await writeExportToDir(b.save({ format: "binary" }), dir);
}
