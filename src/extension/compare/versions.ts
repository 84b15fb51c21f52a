/**
 * TF Serving version folders (model/1, model/2, …): the previous version of an export. No `vscode` import, so it
 * is tested in plain Node.
 */
export interface Located {
  uri: { scheme: string; authority: string; path: string };
}

const lastSegment = (path: string) => path.replace(/\/+$/, "").split("/").pop() ?? "";
const parentPath = (path: string) => path.replace(/\/+$/, "").split("/").slice(0, -1).join("/");

/** The largest numbered sibling folder below `m`'s number (model/7 → model/5 when 6 is absent), if any. */
export function previousVersion<T extends Located>(m: T, all: readonly T[]): T | undefined {
  const v = lastSegment(m.uri.path);
  if (!/^\d+$/.test(v)) return undefined;
  const parent = parentPath(m.uri.path);
  const older = all
    .filter((o) => o !== m && o.uri.scheme === m.uri.scheme && o.uri.authority === m.uri.authority)
    .filter((o) => parentPath(o.uri.path) === parent && /^\d+$/.test(lastSegment(o.uri.path)))
    .map((o) => ({ o, n: Number(lastSegment(o.uri.path)) }))
    .filter((x) => x.n < Number(v))
    .sort((x, y) => y.n - x.n);
  return older[0]?.o;
}
