/** Escaping for model strings that end up in markup built as text (SVG export, attribute values). */
const MAP: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and quoted attribute values. Also drops characters XML forbids. */
export function escapeXml(s: string): string {
  return s
    .replace(/[&<>"']/g, (c) => MAP[c])
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd");
}

/** Shortens `s` to fit `maxWidth` (by `measure`), ending in "…". */
export function ellipsize(s: string, maxWidth: number, measure: (t: string) => number): string {
  if (measure(s) <= maxWidth) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${s.slice(0, mid)}…`) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return `${s.slice(0, lo)}…`;
}
