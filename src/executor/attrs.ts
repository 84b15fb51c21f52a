/** Typed reads of (default-filled) NodeDef attributes. */
import type { IAttrValue } from "../savedmodel/proto.js";

export type Attrs = Record<string, IAttrValue>;

const utf8 = new TextDecoder();

export function attrInt(attrs: Attrs, name: string, def?: number): number {
  const v = attrs[name]?.i;
  if (v === undefined || v === null) {
    if (def === undefined) throw new Error(`attribute "${name}" is missing`);
    return def;
  }
  return Number(v);
}

export function attrFloat(attrs: Attrs, name: string, def?: number): number {
  const v = attrs[name]?.f;
  if (v === undefined || v === null) {
    if (def === undefined) throw new Error(`attribute "${name}" is missing`);
    return def;
  }
  return v;
}

export function attrBool(attrs: Attrs, name: string, def = false): boolean {
  const v = attrs[name]?.b;
  return v === undefined || v === null ? def : v;
}

export function attrStr(attrs: Attrs, name: string, def?: string): string {
  const v = attrs[name]?.s;
  if (v === undefined || v === null) {
    if (def === undefined) throw new Error(`attribute "${name}" is missing`);
    return def;
  }
  return typeof v === "string" ? v : utf8.decode(v);
}

export function attrBytes(attrs: Attrs, name: string): Uint8Array | undefined {
  const v = attrs[name]?.s;
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? new TextEncoder().encode(v) : v;
}

export function attrType(attrs: Attrs, name: string, def?: number): number {
  const v = attrs[name]?.type;
  if (v === undefined || v === null || v === 0) {
    if (def === undefined) throw new Error(`attribute "${name}" is missing`);
    return def;
  }
  return Number(v);
}

export function attrTypeList(attrs: Attrs, name: string): number[] {
  return (attrs[name]?.list?.type ?? []).map(Number);
}

export function attrIntList(attrs: Attrs, name: string, def?: number[]): number[] {
  const a = attrs[name];
  if (!a) {
    if (def === undefined) throw new Error(`attribute "${name}" is missing`);
    return def;
  }
  return (a.list?.i ?? []).map(Number);
}

export function attrFloatList(attrs: Attrs, name: string): number[] {
  return [...(attrs[name]?.list?.f ?? [])];
}

export function attrStrList(attrs: Attrs, name: string): string[] {
  return (attrs[name]?.list?.s ?? []).map((s) => (typeof s === "string" ? s : utf8.decode(s)));
}

/** Dims of a shape attr; undefined for unknown rank. */
export function attrShape(attrs: Attrs, name: string): number[] | undefined {
  const s = attrs[name]?.shape;
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d) => Number(d.size ?? 0));
}

export function attrShapeList(attrs: Attrs, name: string): (number[] | undefined)[] {
  return (attrs[name]?.list?.shape ?? []).map((s) =>
    s.unknownRank ? undefined : (s.dim ?? []).map((d) => Number(d.size ?? 0)),
  );
}

/** Function name of a `func` attr. */
export function attrFunc(attrs: Attrs, name: string): { name: string; attr: Attrs } {
  const f = attrs[name]?.func;
  if (!f?.name) throw new Error(`function attribute "${name}" is missing`);
  return { name: f.name, attr: (f.attr ?? {}) as Attrs };
}

export function attrFuncList(attrs: Attrs, name: string): { name: string; attr: Attrs }[] {
  return (attrs[name]?.list?.func ?? []).map((f) => ({ name: f.name ?? "", attr: (f.attr ?? {}) as Attrs }));
}
