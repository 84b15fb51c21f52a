/**
 * Op schemas: the part of a TensorFlow OpDef that decoding, graph view and executor need —
 * argument signatures (to map named outputs to flat indices and find dtypes) and attribute
 * types/defaults (to refill attrs that exports strip when they equal the default).
 */
import type { IAttrValue, IOpDef } from "../proto.js";

export interface ArgSchema {
  name: string;
  /** Fixed DataType number (DT_FLOAT = 1, ...). */
  type?: number;
  /** Attr (of type "type") giving this arg's dtype. */
  typeAttr?: string;
  /** Attr (of type "list(type)") giving one dtype per tensor of this arg. */
  typeListAttr?: string;
  /** Attr (of type "int") giving how many tensors this arg has. */
  numberAttr?: string;
  isRef?: boolean;
}

export interface AttrSchema {
  name: string;
  /** TensorFlow spelling: "type", "list(type)", "int", "float", "bool", "string", "shape", "tensor", "func", "list(int)", ... */
  type: string;
  default?: IAttrValue;
  minimum?: number;
}

export interface OpSchema {
  name: string;
  inputs: ArgSchema[];
  outputs: ArgSchema[];
  attrs: AttrSchema[];
  /** Known for model/function schemas and for registry add-on ops; TensorFlow's registry data does not carry it. */
  isStateful?: boolean;
  /** Add-on library that defines a registry op not in TensorFlow itself (e.g. "tensorflow_text"). */
  library?: string;
  /** Where the schema came from: the model's stripped_op_list, our bundled registry, or a library function's signature. */
  source: "model" | "registry" | "function";
}

function argFromDef(a: NonNullable<IOpDef["inputArg"]>[number]): ArgSchema {
  const out: ArgSchema = { name: a.name ?? "" };
  if (a.typeListAttr) out.typeListAttr = a.typeListAttr;
  else if (a.typeAttr) out.typeAttr = a.typeAttr;
  else if (a.type) out.type = a.type;
  if (a.numberAttr) out.numberAttr = a.numberAttr;
  if (a.isRef) out.isRef = true;
  return out;
}

/** Converts a decoded OpDef (model stripped_op_list entry or a FunctionDef signature) to an OpSchema. */
export function schemaFromOpDef(def: IOpDef, source: OpSchema["source"]): OpSchema {
  const attrs: AttrSchema[] = (def.attr ?? []).map((a) => {
    const s: AttrSchema = { name: a.name ?? "", type: a.type ?? "" };
    if (a.defaultValue) s.default = a.defaultValue;
    if (a.hasMinimum) s.minimum = Number(a.minimum ?? 0);
    return s;
  });
  const schema: OpSchema = {
    name: def.name ?? "",
    inputs: (def.inputArg ?? []).map(argFromDef),
    outputs: (def.outputArg ?? []).map(argFromDef),
    attrs,
    source,
  };
  if (def.isStateful) schema.isStateful = true;
  return schema;
}

/** The TF type spelling of attribute `attrName` in `schema` ("type", "list(int)", ...), if declared. */
export function attrTypeOf(schema: OpSchema | undefined, attrName: string): string | undefined {
  return schema?.attrs.find((a) => a.name === attrName)?.type;
}
