/**
 * Flat tensor index layout of an op's inputs/outputs: TensorFlow numbers a node's tensors
 * consecutively across its args, where an arg is 1 tensor, N (numberAttr) or len(list) (typeListAttr).
 */
import type { IAttrValue } from "../proto.js";
import type { ArgSchema, OpSchema } from "./schema.js";

export interface ArgLayout {
  name: string;
  /** First flat index of this arg. */
  start: number;
  count: number;
  /** Base DataType per tensor where determinable (for ref args add 100 for the *_REF dtype). */
  dtypes: (number | undefined)[];
  isRef?: boolean;
  /** The attr that sets the count is missing: count is 0 and later starts may be wrong. */
  countUnknown?: boolean;
}

/** Tensors per arg are capped so a hostile attr (num_split = 2^40) cannot make us allocate. */
export const MAX_ARG_TENSORS = 1 << 20;

function attrInt(v: IAttrValue | undefined): number | undefined {
  if (!v || v.i === undefined || v.i === null) return undefined;
  const n = Number(v.i);
  return Number.isFinite(n) ? n : undefined;
}

function attrDtype(v: IAttrValue | undefined): number | undefined {
  const t = v?.type;
  return t ? Number(t) : undefined;
}

function layoutOf(args: ArgSchema[], attrs: Record<string, IAttrValue>): ArgLayout[] {
  const out: ArgLayout[] = [];
  let start = 0;
  for (const arg of args) {
    let count = 1;
    let countUnknown = false;
    let dtypes: (number | undefined)[];
    if (arg.typeListAttr) {
      const list = attrs[arg.typeListAttr]?.list?.type;
      if (list) {
        count = Math.min(list.length, MAX_ARG_TENSORS);
        dtypes = list.slice(0, count).map((t) => (t ? Number(t) : undefined));
      } else {
        count = 0;
        countUnknown = true;
        dtypes = [];
      }
    } else {
      if (arg.numberAttr) {
        const n = attrInt(attrs[arg.numberAttr]);
        if (n === undefined || n < 0) {
          count = 0;
          countUnknown = true;
        } else count = Math.min(n, MAX_ARG_TENSORS);
      }
      const dt = arg.type ? arg.type : arg.typeAttr ? attrDtype(attrs[arg.typeAttr]) : undefined;
      dtypes = new Array<number | undefined>(count).fill(dt);
    }
    const entry: ArgLayout = { name: arg.name, start, count, dtypes };
    if (arg.isRef) entry.isRef = true;
    if (countUnknown) entry.countUnknown = true;
    out.push(entry);
    start += count;
  }
  return out;
}

/** Flat output index ranges per output arg. Pass attrs from withDefaults(). */
export function outputLayout(schema: OpSchema, attrs: Record<string, IAttrValue>): ArgLayout[] {
  return layoutOf(schema.outputs, attrs);
}

/** Flat input index ranges per input arg (data inputs only; control inputs come after). */
export function inputLayout(schema: OpSchema, attrs: Record<string, IAttrValue>): ArgLayout[] {
  return layoutOf(schema.inputs, attrs);
}

/** Total tensors in a layout. */
export function layoutSize(layout: ArgLayout[]): number {
  const last = layout[layout.length - 1];
  return last ? last.start + last.count : 0;
}
