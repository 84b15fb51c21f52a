/** SVG and PNG export of the current view (everything laid out, not only what is on screen). */
import type { DisplayGraph } from "../../graph/model.js";
import { ellipsize, escapeXml } from "../shared/escape.js";
import { pathD } from "./paths.js";
import type { WeightRef } from "./fold.js";
import { BOX_H, groupSubtitle, HEADER, LEAF_H, LEAF_H1, WEIGHT_LINE, weightLines, type Scene } from "./viewModel.js";

export interface ExportStyle {
  colour: (cssVar: string) => string;
  font: string;
  measure: (t: string, px: number, bold?: boolean) => number;
  /** Weights listed inside an item (the view's folding), as on screen. */
  weights?: (key: string) => WeightRef[];
}

/** A standalone SVG document of the scene, colours resolved from the current theme. */
export function sceneToSvg(g: DisplayGraph, scene: Scene, st: ExportStyle): string {
  const c = st.colour;
  const pad = 16;
  const W = Math.ceil(scene.width + 2 * pad);
  const H = Math.ceil(scene.height + 2 * pad);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="${-pad} ${-pad} ${W} ${H}" font-family="${escapeXml(st.font)}">`,
    `<title>${escapeXml(g.title)}</title>`,
    `<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${escapeXml(c("--edge"))}"/></marker></defs>`,
    `<rect x="${-pad}" y="${-pad}" width="${W}" height="${H}" fill="${escapeXml(c("--bg"))}"/>`,
  );
  const fg = escapeXml(c("--fg"));
  const muted = escapeXml(c("--muted"));
  const border = escapeXml(c("--border"));
  const text = (x: number, y: number, s: string, px: number, fill: string, bold = false, anchor = "") =>
    `<text x="${x}" y="${y}" font-size="${px}" fill="${fill}"${bold ? ' font-weight="600"' : ""}${anchor ? ` text-anchor="${anchor}"` : ""}>${escapeXml(s)}</text>`;
  for (const it of scene.items) {
    if (it.kind !== "frame") continue;
    const grp = g.groups[it.index];
    out.push(
      `<g transform="translate(${it.x},${it.y})"><rect width="${it.w}" height="${it.h}" rx="5" fill="${escapeXml(c("--frame-bg"))}" fill-opacity="0.35" stroke="${border}"/>`,
      `<rect width="${it.w}" height="${HEADER}" rx="5" fill="${escapeXml(c("--frame-head"))}" stroke="${border}"/>`,
      text(
        10,
        16,
        ellipsize(`${grp.label}  ·  ${groupSubtitle(g, it.index)}`, it.w - 20, (s) => st.measure(s, 12, true)),
        12,
        fg,
        true,
      ),
      `</g>`,
    );
  }
  const edge = escapeXml(c("--edge"));
  for (const e of scene.edges)
    out.push(
      `<path d="${pathD(e.pts)}" fill="none" stroke="${edge}" stroke-width="1.2"${e.ctl ? ' stroke-dasharray="4 3"' : ""} marker-end="url(#a)"/>`,
    );
  for (const it of scene.items) {
    if (it.kind === "frame") continue;
    const fit = (s: string, px: number, bold = false) => ellipsize(s, it.w - 18, (x) => st.measure(x, px, bold));
    const ws = st.weights?.(it.key) ?? [];
    const wlines = (top: number, max?: number) =>
      weightLines(ws, max)
        .map((l, i) => text(10, top + 12 + i * WEIGHT_LINE, fit(l, 11), 11, muted))
        .join("");
    if (it.kind === "leaf") {
      const n = g.nodes[it.index];
      out.push(
        `<g transform="translate(${it.x},${it.y})"><title>${escapeXml(n.name)}</title><rect width="${it.w}" height="${it.h}" rx="3" fill="${escapeXml(c("--node-bg"))}" stroke="${border}"/>`,
        `<rect width="4" height="${it.h}" fill="${escapeXml(c(`--kind-${n.kind}`))}"/>`,
        n.label === n.op
          ? text(10, 16, fit(n.label, 12), 12, fg)
          : text(10, 15, fit(n.label, 12), 12, fg) + text(10, 29, fit(n.op, 11), 11, muted),
        wlines(n.label === n.op ? LEAF_H1 : LEAF_H),
        `</g>`,
      );
    } else {
      const grp = g.groups[it.index];
      out.push(
        `<g transform="translate(${it.x},${it.y})"><title>${escapeXml(grp.id || grp.label)}</title><rect width="${it.w}" height="${it.h}" rx="5" fill="${escapeXml(c("--frame-bg"))}" stroke="${border}" stroke-width="1.5"${grp.kind === "call" ? ' stroke-dasharray="5 2"' : ""}/>`,
        `<rect width="4" height="${it.h}" fill="${escapeXml(c(grp.kind === "call" ? "--kind-call" : "--muted"))}"/>`,
        text(10, 16, fit(grp.label, 12, true), 12, fg, true),
        text(10, 29, fit(groupSubtitle(g, it.index), 11), 11, muted),
        wlines(BOX_H, 1),
        `</g>`,
      );
    }
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** Rasterises an SVG document to PNG (base64), scaled down to stay within canvas limits. */
export async function svgToPngBase64(svg: string, width: number, height: number, scale = 2): Promise<string> {
  const k = Math.min(
    scale,
    16000 / Math.max(1, width),
    16000 / Math.max(1, height),
    Math.sqrt(120e6 / Math.max(1, width * height)),
  );
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the SVG could not be rasterised"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * k));
    canvas.height = Math.max(1, Math.round(height * k));
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const dataUrl = canvas.toDataURL("image/png");
    return dataUrl.slice(dataUrl.indexOf(",") + 1);
  } finally {
    URL.revokeObjectURL(url);
  }
}
