/** SVG path data for edge routes. */

/** Polyline with rounded corners. */
export function pathD(pts: number[]): string {
  if (pts.length < 4) return "";
  let d = `M${r(pts[0])},${r(pts[1])}`;
  for (let i = 2; i < pts.length - 2; i += 2) {
    const [px, py, x, y, nx, ny] = [pts[i - 2], pts[i - 1], pts[i], pts[i + 1], pts[i + 2], pts[i + 3]];
    const a = Math.min(8, Math.hypot(x - px, y - py) / 2);
    const b = Math.min(8, Math.hypot(nx - x, ny - y) / 2);
    const ax = x - ((x - px) / (Math.hypot(x - px, y - py) || 1)) * a;
    const ay = y - ((y - py) / (Math.hypot(x - px, y - py) || 1)) * a;
    const bx = x + ((nx - x) / (Math.hypot(nx - x, ny - y) || 1)) * b;
    const by = y + ((ny - y) / (Math.hypot(nx - x, ny - y) || 1)) * b;
    d += ` L${r(ax)},${r(ay)} Q${r(x)},${r(y)} ${r(bx)},${r(by)}`;
  }
  d += ` L${r(pts[pts.length - 2])},${r(pts[pts.length - 1])}`;
  return d;
}

function r(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}
