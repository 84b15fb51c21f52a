/**
 * The serving contract diff: tag sets, signature keys and methods, and every input and output (dtype, shape,
 * encoding, defaults), each change classified for a TF Serving client as breaking, compatible or none, with the
 * reason. Works on two ModelInfo (describeModel), so nothing but the SavedModel proto's shell is decoded.
 */
import type { MetaGraphInfo, ModelInfo, SignatureInfo, TensorSpecInfo } from "../modelTypes.js";
import type { ContractChange, Severity } from "./types.js";

export interface ContractOptions {
  /** Compare only the meta graph with this tag set (order-insensitive). */
  tagSet?: string[];
  /** Compare only this signature. */
  signatureDef?: string;
}

export const tagSetKey = (tags: string[]): string => [...tags].sort().join(",");

const shapeText = (s: number[] | undefined) => (s === undefined ? "unknown rank" : `[${s.join(", ")}]`);

function encodingText(t: TensorSpecInfo): string {
  if (t.encoding === "composite")
    return `composite ${t.composite?.typeSpecClassName || t.composite?.typeSpecClass || ""}`.trim();
  return t.encoding === "name" ? "dense" : t.encoding;
}

/** Shape change of one tensor: severity and reason, or undefined when equal. */
function shapeChange(
  side: "inputs" | "outputs",
  a: number[] | undefined,
  b: number[] | undefined,
): { severity: Severity; reason: string } | undefined {
  const role = side === "inputs" ? "input" : "output";
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined)
    return side === "inputs"
      ? { severity: "breaking", reason: `the ${role} had unknown rank and now requires rank ${b!.length}` }
      : { severity: "compatible", reason: `the ${role}'s rank is now known (${b!.length})` };
  if (b === undefined)
    return side === "inputs"
      ? { severity: "compatible", reason: `the ${role} now accepts any rank` }
      : { severity: "compatible", reason: `the ${role}'s spec was relaxed from rank ${a.length} to unknown rank` };
  if (a.length !== b.length)
    return { severity: "breaking", reason: `the rank changed from ${a.length} to ${b.length}` };
  const reasons: string[] = [];
  let severity: Severity = "none";
  const worse = (s: Severity) => {
    if (s === "breaking" || (s === "compatible" && severity === "none")) severity = s;
  };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x !== -1 && y === -1) {
      worse("compatible");
      reasons.push(`dimension ${i} was relaxed from ${x} to -1 (any size)`);
    } else if (x === -1) {
      worse(side === "inputs" ? "breaking" : "compatible");
      reasons.push(
        side === "inputs"
          ? `dimension ${i} was -1 (any size) and is now fixed to ${y}; clients sending other sizes fail`
          : `dimension ${i} is now known to be ${y}`,
      );
    } else {
      worse("breaking");
      reasons.push(`dimension ${i} changed size from ${x} to ${y}`);
    }
  }
  return reasons.length ? { severity, reason: reasons.join("; ") } : undefined;
}

function diffTensor(
  out: ContractChange[],
  base: Pick<ContractChange, "tagSet" | "signature" | "side" | "tensor">,
  a: TensorSpecInfo,
  b: TensorSpecInfo,
): void {
  const role = base.side === "inputs" ? "input" : "output";
  if (a.dtype !== b.dtype)
    out.push({
      ...base,
      kind: "changed",
      subject: "dtype",
      before: a.dtypeShort,
      after: b.dtypeShort,
      severity: "breaking",
      reason: `the ${role}'s dtype changed; clients ${base.side === "inputs" ? "sending" : "reading"} ${a.dtypeShort} fail`,
    });
  const s = shapeChange(base.side!, a.shape, b.shape);
  if (s)
    out.push({
      ...base,
      kind: "changed",
      subject: "shape",
      before: shapeText(a.shape),
      after: shapeText(b.shape),
      ...s,
    });
  const ea = encodingText(a);
  const eb = encodingText(b);
  if (ea !== eb)
    out.push({
      ...base,
      kind: "changed",
      subject: "encoding",
      before: ea,
      after: eb,
      severity: "breaking",
      reason: `the ${role} changed from ${ea} to ${eb}; clients must send or read it differently`,
    });
  else if (a.encoding === "composite") {
    const ca = a.composite?.components ?? [];
    const cb = b.composite?.components ?? [];
    if (ca.length !== cb.length)
      out.push({
        ...base,
        kind: "changed",
        subject: "encoding",
        before: `${ca.length} components`,
        after: `${cb.length} components`,
        severity: "breaking",
        reason: `the composite ${role}'s component count changed`,
      });
    else ca.forEach((c, i) => diffTensor(out, { ...base, tensor: `${base.tensor}[${i}]` }, c, cb[i]));
  }
  const na = a.tensorName ?? (a.sparse ? Object.values(a.sparse).join(",") : undefined);
  const nb = b.tensorName ?? (b.sparse ? Object.values(b.sparse).join(",") : undefined);
  if (ea === eb && na !== nb && na !== undefined && nb !== undefined)
    out.push({
      ...base,
      kind: "changed",
      subject: "tensor_name",
      before: na,
      after: nb,
      severity: "none",
      reason: "clients address tensors by key; the graph tensor behind it was renamed",
    });
}

function specText(t: TensorSpecInfo): string {
  return `${t.dtypeShort} ${shapeText(t.shape)}${t.encoding === "name" ? "" : ` (${encodingText(t)})`}`;
}

function diffSignature(out: ContractChange[], tagSet: string, a: SignatureInfo, b: SignatureInfo): void {
  const base = { tagSet, signature: a.key };
  if (a.methodName !== b.methodName)
    out.push({
      ...base,
      kind: "changed",
      subject: "method",
      before: a.methodName,
      after: b.methodName,
      severity: "breaking",
      reason: "the method decides which TF Serving API (Predict, Classify, Regress) clients must call",
    });
  for (const side of ["inputs", "outputs"] as const) {
    const ma = new Map(a[side].map((t) => [t.key, t]));
    const mb = new Map(b[side].map((t) => [t.key, t]));
    for (const [k, ta] of ma) {
      const tb = mb.get(k);
      const tbase = { ...base, side, tensor: k };
      if (!tb) {
        out.push({
          ...tbase,
          kind: "removed",
          subject: side === "inputs" ? "input" : "output",
          before: specText(ta),
          severity: "breaking",
          reason:
            side === "inputs"
              ? "clients that still send this input get an error"
              : "clients that read this output no longer get it",
        });
        continue;
      }
      diffTensor(out, tbase, ta, tb);
      if (side === "inputs") {
        const da = a.defaults.includes(k);
        const db = b.defaults.includes(k);
        if (da !== db)
          out.push({
            ...tbase,
            kind: db ? "added" : "removed",
            subject: "default",
            severity: db ? "compatible" : "breaking",
            reason: db
              ? "the input now has a default, so clients may omit it"
              : "the input lost its default; clients that omit it now fail",
          });
      }
    }
    for (const [k, tb] of mb) {
      if (ma.has(k)) continue;
      const hasDefault = side === "inputs" && b.defaults.includes(k);
      out.push({
        ...base,
        side,
        tensor: k,
        kind: "added",
        subject: side === "inputs" ? "input" : "output",
        after: specText(tb),
        severity: side === "outputs" || hasDefault ? "compatible" : "breaking",
        reason:
          side === "outputs"
            ? "a new output; existing clients ignore it"
            : hasDefault
              ? "a new input with a default; existing clients may omit it"
              : "a new input without a default; existing clients do not send it and fail",
      });
    }
  }
}

function diffMetaGraph(out: ContractChange[], a: MetaGraphInfo, b: MetaGraphInfo, opts: ContractOptions): void {
  const tagSet = a.tags.join(",");
  const sa = new Map(a.signatures.map((s) => [s.key, s]));
  const sb = new Map(b.signatures.map((s) => [s.key, s]));
  const want = (k: string) => opts.signatureDef === undefined || opts.signatureDef === k;
  for (const [k, s] of sa) {
    if (!want(k)) continue;
    const t = sb.get(k);
    if (t) diffSignature(out, tagSet, s, t);
    else
      out.push({
        kind: "removed",
        subject: "signature",
        tagSet,
        signature: k,
        before: s.methodName,
        severity: "breaking",
        reason: "clients calling this signature get an error",
      });
  }
  for (const [k, s] of sb)
    if (want(k) && !sa.has(k))
      out.push({
        kind: "added",
        subject: "signature",
        tagSet,
        signature: k,
        after: s.methodName,
        severity: "compatible",
        reason: "a new signature; existing clients are unaffected",
      });
}

const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, compatible: 1, none: 2 };

/** Contract changes between two exports, breaking first (stable order within a severity). */
export function diffContract(a: ModelInfo, b: ModelInfo, opts: ContractOptions = {}): ContractChange[] {
  const out: ContractChange[] = [];
  const ma = new Map(a.metaGraphs.map((m) => [tagSetKey(m.tags), m]));
  const mb = new Map(b.metaGraphs.map((m) => [tagSetKey(m.tags), m]));
  const want = opts.tagSet ? tagSetKey(opts.tagSet) : undefined;
  for (const [k, m] of ma) {
    if (want !== undefined && k !== want) continue;
    const n = mb.get(k);
    if (n) diffMetaGraph(out, m, n, opts);
    else
      out.push({
        kind: "removed",
        subject: "tag_set",
        tagSet: m.tags.join(","),
        severity: "breaking",
        reason: "servers loading this tag set fail to load the model",
      });
  }
  for (const [k, m] of mb)
    if ((want === undefined || k === want) && !ma.has(k))
      out.push({
        kind: "added",
        subject: "tag_set",
        tagSet: m.tags.join(","),
        severity: "compatible",
        reason: "a new tag set; servers loading the existing one are unaffected",
      });
  return out
    .map((c, i) => ({ c, i }))
    .sort((x, y) => SEVERITY_ORDER[x.c.severity] - SEVERITY_ORDER[y.c.severity] || x.i - y.i)
    .map((x) => x.c);
}
