/**
 * NodeDefs whose attributes decode on first use. A graph or function body is mostly attributes
 * (`_output_shapes`, `T`, `value`, …) and materialising them all is where a full decode spends its
 * time (allocation and GC); name, op, input and device are decoded at once, and each node keeps the
 * byte ranges of its attr map entries until something reads `node.attr`, which then becomes an
 * ordinary own property holding what protobufjs would have decoded. Encoding, toObject and
 * property access behave as for an eagerly decoded node.
 *
 * decodeWithLazyNodes(fn) runs a protobufjs decode (GraphDef, FunctionDef, …) with NodeDef.decode
 * swapped for the lazy one; everything else decodes as usual.
 */
import $protobuf from "../../proto/runtime.js";
import { asSavedModelError } from "./errors.js";
import { tensorflow } from "./proto.js";

const Reader = $protobuf.Reader;
type ProtoReader = InstanceType<typeof $protobuf.Reader>;
type AttrMap = Record<string, tensorflow.IAttrValue>;

const SOURCE = Symbol("attrSource");

interface AttrSource {
  /** The file, for the error a damaged attribute gives when it is read. */
  file: string;
  buf: Uint8Array;
  /** [start, end) of each attr map entry's payload, in order. */
  at: number[];
}

interface LazyNode {
  [SOURCE]?: AttrSource;
}

function ownAttr(node: object, value: AttrMap): AttrMap {
  Object.defineProperty(node, "attr", { value, writable: true, enumerable: true, configurable: true });
  return value;
}

function materialize(src: AttrSource, node: { name?: string }): AttrMap {
  try {
    return materializeAttrs(src);
  } catch (e) {
    throw asSavedModelError(src.file, e, `node "${node.name ?? ""}" attr`);
  }
}

function materializeAttrs(src: AttrSource): AttrMap {
  const attr: AttrMap = {};
  const r = Reader.create(src.buf);
  const at = src.at;
  for (let i = 0; i < at.length; i += 2) {
    const end = at[i + 1];
    r.pos = at[i];
    r.len = end;
    let key = "";
    let value: tensorflow.AttrValue | null = null;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) key = r.string();
      else if (tag >>> 3 === 2) {
        // decoded long after the graph was read: a failure here (e.g. nesting past maxProtoDepth) still names the
        // file and the attr instead of escaping as a bare Error
        try {
          value = tensorflow.AttrValue.decode(r, r.uint32());
        } catch (e) {
          throw asSavedModelError("saved_model.pb", e, `node attr "${key}"`);
        }
      } else r.skipType(tag & 7);
    }
    if (key === "__proto__")
      Object.defineProperty(attr, key, { value, writable: true, enumerable: true, configurable: true });
    else attr[key] = value as tensorflow.IAttrValue;
  }
  return attr;
}

// `attr` on the NodeDef prototype: materialises a lazy node's attributes into an own property; an
// assignment (e.g. protobufjs's constructor `this.attr = {}`) makes an own property directly.
Object.defineProperty(tensorflow.NodeDef.prototype, "attr", {
  configurable: true,
  enumerable: true,
  get(this: LazyNode & object): AttrMap {
    const src = this[SOURCE];
    if (src) this[SOURCE] = undefined;
    return ownAttr(this, src ? materialize(src, this as { name?: string }) : {});
  },
  set(this: LazyNode & object, value: AttrMap) {
    if (this[SOURCE]) this[SOURCE] = undefined;
    ownAttr(this, value);
  },
});

const NodeDefProto = tensorflow.NodeDef.prototype;

/** NodeDef.decode's signature; attributes are kept as byte ranges until read. */
function decodeLazyNodeDef(reader: ProtoReader | Uint8Array, length?: number): tensorflow.NodeDef {
  const r = reader instanceof Reader ? reader : Reader.create(reader as Uint8Array);
  const end = length === undefined ? r.len : r.pos + length;
  if (end > r.len) throw RangeError("index out of range");
  const m = Object.create(NodeDefProto) as tensorflow.NodeDef & LazyNode;
  const input: string[] = [];
  m.input = input;
  let at: number[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        m.name = r.string();
        break;
      case 2:
        m.op = r.string();
        break;
      case 3:
        input.push(r.string());
        break;
      case 4:
        m.device = r.string();
        break;
      case 5: {
        const len = r.uint32();
        const start = r.pos;
        if (start + len > end) throw RangeError("index out of range");
        (at ??= []).push(start, start + len);
        r.pos = start + len;
        break;
      }
      case 6:
        m.experimentalDebugInfo = tensorflow.NodeDef.ExperimentalDebugInfo.decode(r, r.uint32());
        break;
      case 7:
        m.experimentalType = tensorflow.FullTypeDef.decode(r, r.uint32());
        break;
      default:
        r.skipType(tag & 7);
        break;
    }
  }
  if (r.pos !== end) throw RangeError("index out of range");
  if (at) m[SOURCE] = { file: lazyFile, buf: r.buf, at };
  return m;
}

// meta_info_def.stripped_op_list the same way: its OpDefs (with their attr defaults and allowed values)
// decode when `op` is first read.
const OPS = Symbol("opListSource");
interface LazyOpList {
  [OPS]?: Uint8Array;
}
const decodeOpList = tensorflow.OpList.decode;
Object.defineProperty(tensorflow.OpList.prototype, "op", {
  configurable: true,
  enumerable: true,
  get(this: LazyOpList & object): tensorflow.IOpDef[] {
    const src = this[OPS];
    if (src) this[OPS] = undefined;
    const value = src ? decodeOpList(src).op : [];
    Object.defineProperty(this, "op", { value, writable: true, enumerable: true, configurable: true });
    return value;
  },
  set(this: LazyOpList & object, value: tensorflow.IOpDef[]) {
    if (this[OPS]) this[OPS] = undefined;
    Object.defineProperty(this, "op", { value, writable: true, enumerable: true, configurable: true });
  },
});

function decodeLazyOpList(reader: ProtoReader | Uint8Array, length?: number): tensorflow.OpList {
  const r = reader instanceof Reader ? reader : Reader.create(reader as Uint8Array);
  const end = length === undefined ? r.len : r.pos + length;
  if (end > r.len) throw RangeError("index out of range");
  const m = Object.create(tensorflow.OpList.prototype) as tensorflow.OpList & LazyOpList;
  if (end > r.pos) m[OPS] = r.buf.subarray(r.pos, end);
  r.pos = end;
  return m;
}

let lazyFile = "saved_model.pb";

/** Runs `fn` (a protobufjs decode) with NodeDef attributes and OpList entries decoded lazily. */
export function decodeWithLazyNodes<T>(fn: () => T, file = "saved_model.pb"): T {
  lazyFile = file;
  const node = tensorflow.NodeDef.decode;
  const ops = tensorflow.OpList.decode;
  tensorflow.NodeDef.decode = decodeLazyNodeDef as typeof tensorflow.NodeDef.decode;
  tensorflow.OpList.decode = decodeLazyOpList as typeof tensorflow.OpList.decode;
  try {
    return fn();
  } finally {
    tensorflow.NodeDef.decode = node;
    tensorflow.OpList.decode = ops;
  }
}

/** True while the node's attributes are still undecoded bytes. */
export function hasLazyAttrs(node: object): boolean {
  return !!(node as LazyNode)[SOURCE];
}
