/**
 * Canonical wire form of a protobuf message for comparisons: at every level, fields sorted by
 * number (stable, so repeated order is kept) and map entries sorted by key. TensorFlow sometimes
 * writes fields out of number order (TF 2.x MetaGraphDefs with object_graph_def first) and maps in
 * hash order; protobufjs re-encodes in number order. Driven by the reflection JSON of our schemas.
 */
import $protobuf from "../../proto/runtime.js";
import descriptor from "../../proto/generated/tensorflow.json";

interface FieldDesc {
  type: string;
  id: number;
  keyType?: string;
  rule?: string;
}
interface TypeDesc {
  fields?: Record<string, FieldDesc>;
  nested?: Record<string, TypeDesc>;
  values?: Record<string, number>;
}

const types = new Map<string, TypeDesc>();
(function index(ns: Record<string, TypeDesc> | undefined, prefix: string) {
  for (const [name, d] of Object.entries(ns ?? {})) {
    const full = prefix ? `${prefix}.${name}` : name;
    types.set(full, d);
    index(d.nested, full);
  }
})((descriptor as { nested: Record<string, TypeDesc> }).nested, "");

function resolve(type: string, scope: string): string | undefined {
  const parts = scope.split(".");
  for (let i = parts.length; i >= 0; i--) {
    const cand = [...parts.slice(0, i), type].join(".");
    const t = types.get(cand);
    if (t?.fields) return cand;
  }
  return undefined;
}

interface WireField {
  field: number;
  bytes: Uint8Array; // the whole field: tag + payload
  sortKey?: string;
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function canonicalize(buf: Uint8Array, typeName: string): Uint8Array {
  const t = types.get(typeName);
  const byId = new Map<number, FieldDesc>();
  for (const f of Object.values(t?.fields ?? {})) byId.set(f.id, f);
  const r = $protobuf.Reader.create(buf);
  const fields: WireField[] = [];
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    const desc = byId.get(field);
    if (wt === 2 && desc) {
      const len = r.uint32();
      const payload = buf.subarray(r.pos, r.pos + len);
      r.pos += len;
      let inner = payload;
      let sortKey: string | undefined;
      if (desc.keyType) {
        // map entry: key = 1, value = 2
        const vt = resolve(desc.type, typeName);
        const er = $protobuf.Reader.create(payload);
        const parts: { f: number; b: Uint8Array }[] = [];
        while (er.pos < er.len) {
          const s = er.pos;
          const etag = er.uint32();
          if ((etag & 7) === 2) {
            const l = er.uint32();
            let b = payload.subarray(er.pos, er.pos + l);
            er.pos += l;
            if (etag >>> 3 === 2 && vt) b = canonicalize(b, vt);
            if (etag >>> 3 === 1) sortKey = Buffer.from(b).toString("latin1");
            parts.push({ f: etag >>> 3, b: Uint8Array.from([...encodeVarint(etag), ...encodeVarint(b.length), ...b]) });
          } else {
            er.skipType(etag & 7);
            const raw = payload.subarray(s, er.pos);
            if (etag >>> 3 === 1) sortKey = Buffer.from(raw).toString("latin1");
            parts.push({ f: etag >>> 3, b: raw });
          }
        }
        parts.sort((a, b) => a.f - b.f);
        inner = Uint8Array.from(parts.flatMap((p) => [...p.b]));
      } else {
        const sub = resolve(desc.type, typeName);
        if (sub) inner = canonicalize(payload, sub);
      }
      fields.push({
        field,
        sortKey,
        bytes: Uint8Array.from([...encodeVarint(tag), ...encodeVarint(inner.length), ...inner]),
      });
    } else {
      r.skipType(wt);
      fields.push({ field, bytes: buf.subarray(start, r.pos) });
    }
  }
  const order = fields.map((f, i) => ({ f, i }));
  order.sort(
    (a, b) =>
      a.f.field - b.f.field ||
      (a.f.sortKey !== undefined && b.f.sortKey !== undefined
        ? a.f.sortKey < b.f.sortKey
          ? -1
          : a.f.sortKey > b.f.sortKey
            ? 1
            : 0
        : 0) ||
      a.i - b.i,
  );
  const total = order.reduce((s, x) => s + x.f.bytes.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const { f } of order) {
    out.set(f.bytes, p);
    p += f.bytes.length;
  }
  return out;
}
