/**
 * Memory-lean binary encoding of a SavedModel: each GraphDef node and library function is encoded on its own
 * and the bytes are framed by hand, instead of protobufjs building one writer operation list for the whole
 * message (hundreds of MB for a 50 MB graph). The output is byte-for-byte what SavedModel.encode() writes
 * (fields in number order), which the tests check.
 */
import { tensorflow, type IGraphDef, type IMetaGraphDef, type ISavedModel } from "../proto.js";

class Chunks {
  readonly parts: Uint8Array[] = [];
  length = 0;

  push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }

  varint(v: number): void {
    const out: number[] = [];
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  /** A length-delimited field whose payload is `body`. */
  field(id: number, body: Chunks | Uint8Array): void {
    this.varint((id << 3) | 2);
    this.varint(body.length);
    if (body instanceof Uint8Array) this.push(body);
    else for (const p of body.parts) this.push(p);
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }
}

function encodeGraphDef(g: IGraphDef): Chunks {
  const c = new Chunks();
  for (const n of g.node ?? []) c.field(1, tensorflow.NodeDef.encode(n).finish());
  if (g.library) {
    const lib = new Chunks();
    for (const f of g.library.function ?? []) lib.field(1, tensorflow.FunctionDef.encode(f).finish());
    for (const gr of g.library.gradient ?? []) lib.field(2, tensorflow.GradientDef.encode(gr).finish());
    for (const r of g.library.registeredGradients ?? []) lib.field(3, tensorflow.RegisteredGradient.encode(r).finish());
    c.field(2, lib);
  }
  // the remaining fields (version, versions, debug_info) in number order, encoded normally
  const rest = tensorflow.GraphDef.encode({ ...g, node: [], library: undefined }).finish();
  c.push(rest);
  return c;
}

function encodeMetaGraph(m: IMetaGraphDef): Chunks {
  const c = new Chunks();
  if (m.metaInfoDef) c.field(1, tensorflow.MetaGraphDef.MetaInfoDef.encode(m.metaInfoDef).finish());
  if (m.graphDef) c.field(2, encodeGraphDef(m.graphDef));
  c.push(tensorflow.MetaGraphDef.encode({ ...m, metaInfoDef: undefined, graphDef: undefined }).finish());
  return c;
}

/** SavedModel.encode(sm).finish(), built from per-node and per-function encodings. */
export function encodeSavedModel(sm: ISavedModel): Uint8Array {
  const c = new Chunks();
  c.push(tensorflow.SavedModel.encode({ savedModelSchemaVersion: sm.savedModelSchemaVersion }).finish());
  for (const m of sm.metaGraphs ?? []) c.field(2, encodeMetaGraph(m));
  return c.concat();
}
