/**
 * The adapter to tfjs-converter 4.22.0's op families: OperationMapper turns a NodeDef (attrs with
 * stripped defaults refilled, control inputs dropped, refs already flattened by our loader) into the
 * converter's Node; the per-category executeOp runs it on tfjs-core. Pinned to 4.22.0: these are
 * undocumented dist paths (see docs/tfjs-converter-reuse.md). Our own families override any op.
 */
import * as tf from "@tensorflow/tfjs-core";
import { OperationMapper } from "@tensorflow/tfjs-converter/dist/operations/operation_mapper";
import { executeOp } from "@tensorflow/tfjs-converter/dist/operations/operation_executor";
import { ExecutionContext } from "@tensorflow/tfjs-converter/dist/executor/execution_context";
import { json as raggedOps } from "@tensorflow/tfjs-converter/dist/operations/op_list/ragged";
import type { Node as ConverterNode, OpMapper } from "@tensorflow/tfjs-converter/dist/operations/types";
import type { IAttrValue } from "../../savedmodel/proto.js";
import type { CNode } from "../graph.js";
import type { KernelDef, KernelTable, OpContext } from "../kernel.js";
import { isTensor, type Value } from "../values.js";

type MapperWithTable = { opMappers: Record<string, OpMapper>; mapNode(node: unknown): ConverterNode };

function mapper(): MapperWithTable {
  const m = OperationMapper.Instance as unknown as MapperWithTable;
  // The 4.22 mapper does not load the ragged op list although its executor exists.
  for (const r of raggedOps as OpMapper[]) if (!m.opMappers[r.tfOpName]) m.opMappers[r.tfOpName] = r;
  return m;
}

/** Our decoded AttrValue → the JSON (MessageToDict-like) form OperationMapper reads. */
function attrToJson(a: IAttrValue): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const bytes = (s: Uint8Array | string) =>
    typeof s === "string" ? Array.from(new TextEncoder().encode(s)) : Array.from(s);
  if (a.s !== undefined && a.s !== null) o.s = bytes(a.s);
  if (a.i !== undefined && a.i !== null) o.i = Number(a.i);
  if (a.f !== undefined && a.f !== null) o.f = a.f;
  if (a.b !== undefined && a.b !== null) o.b = a.b;
  if (a.type !== undefined && a.type !== null) o.type = a.type;
  if (a.shape)
    o.shape = {
      unknownRank: !!a.shape.unknownRank,
      dim: (a.shape.dim ?? []).map((d) => ({ size: Number(d.size ?? 0) })),
    };
  if (a.func) o.func = { name: a.func.name };
  if (a.list) {
    const l = a.list;
    const list: Record<string, unknown> = {};
    if (l.s?.length) list.s = l.s.map(bytes);
    if (l.i?.length) list.i = l.i.map(Number);
    if (l.f?.length) list.f = [...l.f];
    if (l.b?.length) list.b = [...l.b];
    if (l.type?.length) list.type = [...l.type];
    if (l.shape?.length)
      list.shape = l.shape.map((s) => ({
        unknownRank: !!s.unknownRank,
        dim: (s.dim ?? []).map((d) => ({ size: Number(d.size ?? 0) })),
      }));
    o.list = list;
  }
  return o;
}

/** Converter string attrs that must keep their case (the mapper lower-cases strings; these ops never went through it). */
const KEEP_CASE: Record<string, Record<string, string>> = {
  RaggedTensorToTensor: { rowPartitionTypes: "row_partition_types" },
};

const STUB_INPUT = { op: "Tensor" } as unknown as ConverterNode;

/** Builds the converter Node for one of our compiled nodes; inputs are named i0, i1, ... */
export function buildConverterNode(node: CNode): ConverterNode {
  const attr: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node.attrs)) attr[k] = attrToJson(v);
  const inputNames = node.inputs.map((_, i) => `i${i}`);
  const cn = mapper().mapNode({ name: node.name, op: node.op, input: inputNames, attr } as never) as ConverterNode;
  for (const [param, tfName] of Object.entries(KEEP_CASE[node.op] ?? {})) {
    const a = node.attrs[tfName];
    const p = cn.attrParams[param];
    if (a && p)
      p.value = a.list?.s
        ? a.list.s.map((b) => (typeof b === "string" ? b : new TextDecoder().decode(b)))
        : a.s
          ? new TextDecoder().decode(a.s as Uint8Array)
          : p.value;
  }
  cn.inputNames = inputNames;
  cn.inputs = inputNames.map(() => STUB_INPUT);
  return cn;
}

/** A fresh per-run context (TensorArray/TensorList storage). */
export function newConverterContext(): unknown {
  return new ExecutionContext({}, {}, {}, {});
}

export function disposeConverterContext(ctx: unknown, keep: Set<number>): void {
  (ctx as ExecutionContext).dispose(keep);
}

function runConverter(c: OpContext): Value[] | Promise<Value[]> {
  const n = c.node;
  let cn = n.cache.converter as ConverterNode | undefined;
  if (!cn) n.cache.converter = cn = buildConverterNode(n);
  const map: Record<string, tf.Tensor[]> = {};
  // TensorList/TensorArray containers own (and later dispose) what they store: never hand them a
  // session-owned tensor (a variable's value or a cached Const), only a clone sharing its data.
  const container = n.op.startsWith("TensorList") || n.op.startsWith("TensorArray");
  for (let i = 0; i < c.inputs.length; i++) {
    const v = c.inputs[i];
    if (!isTensor(v)) throw new Error(`input ${i} is not a tensor (${String(v)})`);
    map[`i${i}`] = [container && c.run.session.pinned.has(v) ? tf.clone(v) : v];
  }
  return executeOp(cn, map, c.run.converterCtx as ExecutionContext) as Value[] | Promise<Value[]>;
}

/** Every op the converter's mapper knows (plus ragged), as kernels. */
export function converterKernels(): KernelTable {
  const table: KernelTable = {};
  const k: KernelDef = { run: runConverter, compute: true };
  for (const [op, m] of Object.entries(mapper().opMappers)) {
    if (m.category === "custom") continue;
    table[op] = k;
  }
  return table;
}

/** The converter category of an op ("convolution", ...), for tests and reports. */
export function converterCategory(op: string): string | undefined {
  return mapper().opMappers[op]?.category;
}

/** Every category the converter's mapper (plus the ragged list) assigns. */
export function converterCategories(): string[] {
  return [...new Set(Object.values(mapper().opMappers).map((m) => m.category ?? ""))].filter(Boolean).sort();
}
