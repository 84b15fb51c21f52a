/**
 * Display text for model facts, shared by the explorer tree (extension host) and the overview and
 * variable webviews so both say the same thing the same way. Pure functions, no DOM, no Node.
 */
import type { ArgInfo, TensorSpecInfo, VariableInfo } from "../savedmodel/modelTypes.js";

/** "[-1, 224, 224, 3]", "[]" for scalars, "<unknown rank>" when the rank is unknown. */
export function formatShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? "<unknown rank>" : `[${shape.join(", ")}]`;
}

/** "x: float32 [-1, 224, 224, 3]" — how a signature input or output reads everywhere. */
export function formatSpec(s: TensorSpecInfo): string {
  if (s.encoding === "composite")
    return `${s.key}: composite ${s.composite?.typeSpecClassName ?? s.composite?.typeSpecClass ?? ""}`.trimEnd();
  const sparse = s.encoding === "coo_sparse" ? " (sparse)" : "";
  return `${s.key}: ${s.dtypeShort} ${formatShape(s.shape)}${sparse}`;
}

export function formatArg(a: ArgInfo): string {
  return `${a.name}: ${a.dtypeShort ?? "?"}${a.shape ? ` ${formatShape(a.shape)}` : ""}`;
}

/** 1536 → "1.5 KB" (powers of 1024, one decimal below 10). */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "?";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/**
 * 1234567 → "1,234,567". Whole numbers are grouped here rather than with toLocaleString: the first Intl call in a
 * fresh webview loads ICU's number formats, tens of milliseconds on the first picture's path.
 */
export function formatCount(n: number | undefined): string {
  if (n === undefined) return "?";
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ",");
  return n < 0 ? `-${s}` : s;
}

/** 1234567 → "1.23M" for compact badges. */
export function formatCompact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toPrecision(3).replace(/\.?0+$/, "")}K`;
  if (n < 1e9) return `${(n / 1e6).toPrecision(3).replace(/\.?0+$/, "")}M`;
  return `${(n / 1e9).toPrecision(3).replace(/\.?0+$/, "")}B`;
}

/** "float32 [3, 3, 1, 16] · 576 B" */
export function formatVariable(v: VariableInfo): string {
  return `${v.dtypeShort} ${formatShape(v.shape)} · ${formatSize(v.bytes)}`;
}

/** "tensorflow/serving/predict" → "predict". */
export function shortMethod(methodName: string): string {
  const m = /^tensorflow\/serving\/(.+)$/.exec(methodName);
  return m ? m[1] : methodName;
}

/** A statistic or tensor value as display text: "—" for NaN, "inf"/"-inf", integers with separators, 6 significant digits, exponent form beyond. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return formatCount(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(6).replace(/\.?0+$/, "") : x.toExponential(4);
}
