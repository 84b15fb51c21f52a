// Graph view scenarios in the real workbench (code-server + chromium): open the serving signature graph of
// three real exports (a TF1 estimator, a Keras CNN, an LSTM), collapse/expand groups by clicking, search by op
// type, read the details pane, trace inputs, export SVG through VS Code's save dialog, and look at the graph
// in light and high-contrast themes. Everything is checked on screen (the webview's DOM), not in the model.
// Called from scripts/e2e.mjs's UI step: runGraphUi({ wb, page, ws, wsRoot, log }) → [{ name, ok, ms, detail | error }].
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { clickGraphToolbar, runScenarioList } from "./steps.mjs";

const XSS = "<img src=x onerror=alert(1)>";

/** Screenshots the README uses: artifact name → docs/screenshots name (scripts/e2e.mjs copies them). */
export const graphReadmeShots = {
  "20-graph-tf1-estimator.png": "graph-tf1-estimator.png",
  "22-graph-keras-cnn-search.png": "graph-keras-cnn.png",
  "25-graph-lstm-trace.png": "graph-lstm.png",
  "26-graph-light.png": "graph-light.png",
  "27-graph-high-contrast.png": "graph-high-contrast.png",
  "30-graph-first-keras-dark.png": "graph-first-keras-dark.png",
  "31-graph-first-module-dark.png": "graph-first-module-dark.png",
  "32-graph-first-tf1-dark.png": "graph-first-tf1-dark.png",
  "33-graph-first-keras-light.png": "graph-first-keras-light.png",
  "34-graph-first-module-light.png": "graph-first-module-light.png",
  "35-graph-first-tf1-light.png": "graph-first-tf1-light.png",
};

/**
 * The first viewport of the graph webview, read in the webview itself: inputs and compute ops on screen (a
 * collapsed box counts the ops it holds), the smallest on-screen font of any drawn text, weight boxes drawn,
 * items listing weights, top-level boxes. Compute = not an input, output, weight or pass-through.
 */
function firstViewport(view) {
  return view.locator("body").evaluate(() => {
    const v = window.__graphView;
    const t = v.transform;
    const [w, h] = v.renderer.size();
    const on = (it) => {
      const x0 = it.x * t.k + t.x;
      const y0 = it.y * t.k + t.y;
      return x0 + it.w * t.k > 0 && x0 < w && y0 + it.h * t.k > 0 && y0 < h;
    };
    const compute = new Set(["math", "nn", "array", "control", "call", "other", "io"]);
    let inputs = 0;
    let computeOps = 0;
    let weightBoxes = 0;
    for (const it of v.currentScene.items) {
      if (!on(it)) continue;
      if (it.kind === "leaf") {
        const n = v.g.nodes[it.index];
        if (n.role === "sigInput" || n.role === "arg" || n.op === "Placeholder") inputs++;
        else if (compute.has(n.kind)) computeOps++;
        if (/^(VarHandleOp|VariableV2|Const)$/.test(n.op)) weightBoxes++;
      } else if (it.kind === "box") computeOps += v.model.shownSize(it.index);
    }
    let minPx = Infinity;
    const small = [];
    const cr = document.getElementById("canvas").getBoundingClientRect();
    for (const el of document.querySelectorAll("#canvas svg text")) {
      const r = el.getBoundingClientRect();
      if (!r.width || r.right < cr.left || r.left > cr.right || r.bottom < cr.top || r.top > cr.bottom) continue;
      const st = getComputedStyle(el);
      if (st.display === "none" || st.visibility === "hidden") continue;
      const px = parseFloat(st.fontSize) * t.k;
      minPx = Math.min(minPx, px);
      if (px < 9.95 && small.length < 5) small.push(`${el.textContent} ${px.toFixed(1)}px`);
    }
    const withWeights = [...document.querySelectorAll("#canvas svg g[data-key]")].filter((g) =>
      /\nweights \(\d+\):/.test(g.querySelector(":scope > title")?.textContent ?? ""),
    ).length;
    const root = v.g.groups[0];
    const top =
      root.nodes.filter((n) => !v.model.nodeHidden(n)).length +
      root.groups.filter((c) => !v.model.groupHidden(c)).length;
    return { inputs, computeOps, minPx, small, weightBoxes, withWeights, top, k: t.k, title: v.g.title };
  });
}

/** The issue-13 first-picture checks on the graph open in `view`. */
async function checkFirstPicture(view, label) {
  await view.locator("#canvas svg g[data-key]").first().waitFor({ timeout: 30000 });
  // the ELK layout replaces the fast first picture once the worker has started: check the settled picture
  await view.locator("body").evaluate(async () => {
    for (let i = 0; i < 300; i++) {
      const v = window.__graphView;
      if (v?.firstLayout === "final" || v?.upgradedAt !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  const f = await firstViewport(view);
  assert.ok(f.inputs >= 1, `${label}: the inputs are on the first screen ${JSON.stringify(f)}`);
  assert.ok(f.computeOps >= 12, `${label}: at least a dozen compute ops on the first screen ${JSON.stringify(f)}`);
  assert.ok(f.minPx >= 9.95, `${label}: text under 10 px on screen: ${f.small.join(", ")}`);
  assert.equal(f.weightBoxes, 0, `${label}: no weight drawn as its own box`);
  assert.ok(f.withWeights >= 3, `${label}: weights inside their consumers ${JSON.stringify(f)}`);
  assert.ok(f.top <= 50, `${label}: ${f.top} top-level boxes`);
  return f;
}

/** Opens the three pattern exports' default pictures (tree rows), checks and screenshots them. */
async function patternPictures(wb, suffix) {
  const out = [];
  // a TF2 Keras export whose signature captures 77 variables
  let view = await openGraph(wb, "kerasCaptured", "serving_default");
  out.push(["keras", await checkFirstPicture(view, "kerasCaptured serving_default")]);
  await wb.screenshot(`${suffix === "dark" ? "30" : "33"}-graph-first-keras-${suffix}`);
  // a tf.Module without signatures: Show Graph on the export opens the model's __call__
  await wb.closeAllEditors();
  await wb.collapseAll();
  await wb.rowAction("moduleConstNoSignatures", "Show Graph");
  view = wb.webview();
  await view.locator("#status", { hasText: / shown · / }).waitFor({ timeout: 90000 });
  const f = await checkFirstPicture(view, "moduleConstNoSignatures (default view)");
  assert.match(f.title, /__call__/, `the default view is the model's __call__: ${f.title}`);
  out.push(["module", f]);
  await wb.screenshot(`${suffix === "dark" ? "31" : "34"}-graph-first-module-${suffix}`);
  // a ~2,000-node TF1 graph with input-parsing, model, head and metric scopes
  view = await openGraph(wb, "tf1Scoped", "eval");
  out.push(["tf1", await checkFirstPicture(view, "tf1Scoped eval")]);
  await wb.screenshot(`${suffix === "dark" ? "32" : "35"}-graph-first-tf1-${suffix}`);
  return out.map(
    ([k, f]) =>
      `${k}: ${f.inputs} inputs, ${f.computeOps} compute ops, min ${f.minPx.toFixed(1)} px, ${f.withWeights} items with weights, ${f.top} top-level`,
  );
}

/** Opens the graph of `signature` of export `exportLabel` from its tree row; waits for the first picture. */
async function openGraph(wb, exportLabel, signature) {
  await wb.closeAllEditors();
  await wb.collapseAll();
  await wb.expand(exportLabel);
  await wb.expand("serve");
  await wb.expand("Signatures");
  await wb.rowAction(signature, "Show Graph");
  const view = wb.webview();
  await view.locator("#status", { hasText: / shown · / }).waitFor({ timeout: 90000 });
  await view.locator("#canvas svg g[data-key]").first().waitFor({ timeout: 30000 });
  return view;
}

/** What the graph shows right now: items drawn in the SVG (with their on-screen boxes), status, details. */
function onScreen(view) {
  return view.locator("body").evaluate(() => {
    const svg = document.querySelector("#canvas svg");
    const sr = svg.getBoundingClientRect();
    const items = [...svg.querySelectorAll("g[data-key]")].map((el) => {
      const r = (el.querySelector("rect.body") ?? el).getBoundingClientRect();
      return {
        key: el.dataset.key,
        cls: el.getAttribute("class") ?? "",
        label: el.querySelector("text.label")?.textContent ?? "",
        sub: el.querySelector("text.sub")?.textContent ?? "",
        op: el.querySelector("text.op")?.textContent ?? "",
        x: r.left,
        y: r.top,
        w: r.width,
        h: r.height,
        visible: r.width > 0 && r.right > sr.left && r.left < sr.right && r.bottom > sr.top && r.top < sr.bottom,
      };
    });
    const mode = getComputedStyle(svg.querySelector("g.viewport")).display === "none" ? "canvas" : "svg";
    return {
      status: document.querySelector("#status")?.textContent ?? "",
      mode,
      items,
      edges: svg.querySelectorAll("path.edge").length,
      traceEdges: svg.querySelectorAll("path.edge.trace").length,
    };
  });
}

/** The details pane: heading, the op line, the info table and the attributes table (name → value). */
function details(view) {
  return view.locator("aside.details").evaluate((el) => {
    const tableAfter = (prefix) => {
      const h = [...el.querySelectorAll("h3")].find((x) => x.textContent.startsWith(prefix));
      const t = h?.nextElementSibling;
      if (!t || t.tagName !== "TABLE") return {};
      return Object.fromEntries([...t.rows].map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
    };
    return {
      hidden: el.hidden,
      name: el.querySelector("h2")?.textContent ?? "",
      opLine: el.querySelector(".mono")?.textContent ?? "",
      info: Object.fromEntries(
        [...(el.querySelector("table")?.rows ?? [])].map((r) => [r.cells[0].textContent, r.cells[1].textContent]),
      ),
      inputs: tableAfter("Inputs"),
      attrs: tableAfter("Attributes"),
    };
  });
}

/** The label of a box as drawn may be ellipsized ("linear/linear_mo…"): does it show `full`? */
const shows = (drawn, full) => drawn === full || (drawn.endsWith("…") && full.startsWith(drawn.slice(0, -1)));

/** Clicks the toolbar's "Collapse all" and checks the top level: boxes (groups) with op counts. */
async function collapseAndCheckTop(view, wantGroups) {
  await clickGraphToolbar(view, "Collapse all");
  await view
    .locator("#canvas svg g.frame")
    .first()
    .waitFor({ state: "detached", timeout: 15000 })
    .catch(() => undefined);
  await new Promise((r) => setTimeout(r, 400));
  let s;
  for (let i = 0; i < 30; i++) {
    s = await onScreen(view);
    if (s.items.length && !s.items.some((it) => it.cls.startsWith("frame"))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const boxes = s.items.filter((it) => it.cls.startsWith("box") && it.visible);
  assert.ok(!s.items.some((it) => it.cls.startsWith("frame")), "after Collapse all no group is open");
  for (const want of wantGroups)
    assert.ok(
      boxes.some((b) => shows(b.label, want)),
      `collapsed top level shows group ${want}; drawn: ${boxes.map((b) => b.label).join(", ")}`,
    );
  for (const b of boxes)
    assert.match(b.sub, /(^|· )[\d,]+ ops?$/, `group ${b.label} shows its op count, got "${b.sub}"`);
  return boxes;
}

/** Clicks a collapsed group's box and checks that its frame opens with its own children drawn inside it. */
async function expandByClick(view, label) {
  const box = view.locator("#canvas svg g.box", { has: view.locator("text.label", { hasText: label }) }).first();
  const key = await box.getAttribute("data-key");
  const count = Number((await box.locator("text.sub").textContent()).match(/([\d,]+) ops?$/)[1].replace(/,/g, ""));
  await box.locator("rect.body").click({ position: { x: 30, y: 10 } });
  const frame = view.locator(`#canvas svg g.frame[data-key="${key}"]`);
  await frame.waitFor({ timeout: 30000 });
  await view.locator("#status", { hasText: / shown · / }).waitFor({ timeout: 30000 });
  // the details pane opened (it narrows the canvas): fit the graph so that the whole frame is in view
  await clickGraphToolbar(view, "Fit");
  await new Promise((r) => setTimeout(r, 600));
  // the group's children according to the graph the panel received (names only), vs what is drawn inside the frame
  const kids = await view.locator("body").evaluate((_b, gi) => {
    const v = window.__graphView;
    const g = v.g;
    const grp = g.groups[gi];
    return [
      ...grp.nodes.filter((n) => !v.model.nodeHidden(n)).map((n) => `n${n}`),
      ...grp.groups.filter((c) => !v.model.groupHidden(c)).map((c) => `g${c}`),
    ];
  }, +key.slice(1));
  const s = await onScreen(view);
  const f = s.items.find((it) => it.key === key);
  const inside = s.items.filter(
    (it) =>
      it.key !== key &&
      it.x >= f.x - 1 &&
      it.y >= f.y - 1 &&
      it.x + it.w <= f.x + f.w + 1 &&
      it.y + it.h <= f.y + f.h + 1,
  );
  const kidSet = new Set(kids);
  const drawnKids = inside.filter((it) => kidSet.has(it.key));
  assert.ok(kids.length > 0, `group ${label} has children`);
  assert.equal(
    drawnKids.length,
    kids.length,
    `all ${kids.length} children of ${label} are drawn inside its frame (saw ${drawnKids.length}: ${drawnKids.map((k) => k.label).join(", ")})`,
  );
  for (const it of drawnKids) assert.ok(it.label.length > 0, `child ${it.key} of ${label} has a label`);
  return { key, count, children: drawnKids.map((k) => k.label) };
}

/** Types an op type into the search box, checks the result list, picks the first hit (Enter). */
async function searchAndPick(view, query, { wantOp }) {
  const input = view.locator(".search input");
  await input.click();
  await input.fill(query);
  const first = view.locator("#search-results li[role=option]").first();
  await first.waitFor({ timeout: 15000 });
  const hits = await view
    .locator("#search-results li[role=option]")
    .evaluateAll((lis) =>
      lis.map((li) => ({ title: li.firstChild.textContent, detail: li.querySelector(".op")?.textContent ?? "" })),
    );
  assert.ok(hits.length > 0, `search ${query} finds something`);
  assert.ok(hits[0].detail.startsWith(wantOp), `first hit of "${query}" is a ${wantOp} op: ${JSON.stringify(hits[0])}`);
  const exact = hits.filter((h) => h.detail.split(" · ")[0] === wantOp).length;
  await input.press("Enter");
  // the hit is selected: drawn with .selected (its ancestors opened), details show it
  await view.locator("aside.details h2", { hasText: hits[0].title }).waitFor({ timeout: 30000 });
  const sel = view.locator("#canvas svg g.node.selected");
  await sel.waitFor({ timeout: 30000 });
  await new Promise((r) => setTimeout(r, 600)); // centring animation
  const s = await onScreen(view);
  const selected = s.items.filter((it) => it.cls.split(" ").includes("selected"));
  assert.equal(selected.length, 1, "one node is drawn selected");
  assert.ok(selected[0].visible, "the selected node is on screen");
  assert.ok(selected[0].cls.split(" ").includes("match"), "the selected node is also marked as a search match");
  const matches = s.items.filter((it) => it.cls.split(" ").includes("match"));
  if (matches.length > 1) {
    // the selection must stand out among the search matches (its outline has its own colour)
    const strokes = await view.locator("#canvas svg").evaluate((svg) => {
      const stroke = (el) => getComputedStyle(el.querySelector("rect.body")).stroke;
      const sel = svg.querySelector("g.selected");
      const other = [...svg.querySelectorAll("g.match")].find((g) => !g.classList.contains("selected"));
      return { selected: stroke(sel), match: stroke(other) };
    });
    assert.notEqual(
      strokes.selected,
      strokes.match,
      `the selected node's outline differs from the matches' (${strokes.selected})`,
    );
  }
  const d = await details(view);
  assert.equal(d.name, hits[0].title, "details show the picked node");
  assert.ok(d.opLine.startsWith(wantOp), `details op line "${d.opLine}"`);
  assert.equal(d.info.op, wantOp);
  return { hits, exact, selected: selected[0], matches: matches.length, details: d };
}

/** WCAG contrast of the drawn label text against its box, for every visible item with a label (min). */
function labelContrast(view) {
  return view.locator("body").evaluate(() => {
    const rgb = (c) => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0];
      return m.slice(0, 3);
    };
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const bodyBg = getComputedStyle(document.body).backgroundColor;
    let min = Infinity;
    let worst = "";
    // nodes and collapsed groups: label on the body; open groups (frames): label on the header bar
    for (const g of document.querySelectorAll("#canvas svg g.node, #canvas svg g.box, #canvas svg g.frame")) {
      const t = g.querySelector("text.label");
      const r = g.querySelector(g.classList.contains("frame") ? "rect.head" : "rect.body");
      if (!t || !r) continue;
      const fill = getComputedStyle(r).fill;
      // a transparent/none fill shows the page background
      const bg = fill === "none" || /rgba\(.*, 0\)$/.test(fill) ? bodyBg : fill;
      const c = ratio(getComputedStyle(t).fill, bg);
      if (c < min) ((min = c), (worst = `${t.textContent} (${getComputedStyle(t).fill} on ${bg})`));
    }
    return {
      min,
      worst,
      bodyBg,
      isLight: document.body.classList.contains("vscode-light"),
      hc: document.body.classList.contains("vscode-high-contrast"),
    };
  });
}

/** Clicks SVG in the toolbar, answers VS Code's save dialog with `file`, returns the written text. */
async function exportSvg(wb, view, file) {
  const page = wb.page;
  await clickGraphToolbar(view, "SVG");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible", timeout: 30000 });
  // the simple file dialog fills in the folder first, then the suggested file name
  await page.waitForFunction(
    () => document.querySelector(".quick-input-widget .quick-input-box input")?.value.endsWith(".svg"),
    null,
    { timeout: 15000 },
  );
  const suggested = await input.inputValue();
  await input.fill(file);
  await page.waitForTimeout(500); // the dialog validates the typed path
  await wb.screenshot("graph-save-dialog");
  await input.press("Enter");
  for (let i = 0; i < 100 && !existsSync(file); i++) await page.waitForTimeout(100);
  assert.ok(existsSync(file), `the SVG was written to ${file} (the dialog suggested ${suggested})`);
  await page.waitForTimeout(200);
  const text = readFileSync(file, "utf8");
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, "an SVG document");
  assert.match(text, /<\/svg>\s*$/, "the SVG document is complete");
  return { text, suggested };
}

export const graphScenarios = [
  {
    name: "Graph view: first picture of the issue-13 patterns (Keras captured variables, tf.Module without signatures, TF1 scopes) in dark and light",
    async run({ wb }) {
      const out = [`dark: ${(await patternPictures(wb, "dark")).join("; ")}`];
      try {
        await wb.command("Preferences: Color Theme", { pick: "Light Modern" });
        await wb.page.locator(".monaco-workbench.vs").waitFor({ timeout: 15000 });
        out.push(`light: ${(await patternPictures(wb, "light")).join("; ")}`);
      } finally {
        await wb.command("Preferences: Color Theme", { pick: "Dark Modern" });
      }
      return out.join(" | ");
    },
  },
  {
    name: "Graph view: TF1 estimator (tfx-taxi-estimator-2shards) serving graph, collapse, expand dnn by click, search MatMul",
    async run({ wb }) {
      const view = await openGraph(wb, "tfx-taxi-estimator-2shards", "serving_default");
      const first = await onScreen(view);
      assert.equal(first.mode, "svg", "a graph of ~1,100 nodes draws as SVG at its first zoom");
      const boxes = await collapseAndCheckTop(view, ["dnn", "linear/linear_model", "head", "transform"]);
      // the input and the outputs of the signature are drawn at the top level too
      const s = await onScreen(view);
      const leaves = s.items.filter((it) => it.cls.startsWith("node") && it.visible).map((it) => it.label);
      for (const want of ["inputs", "classes", "scores"])
        assert.ok(
          leaves.some((l) => l === want || l.startsWith(`${want} (`)),
          `top level shows ${want}: ${leaves.join(", ")}`,
        );
      const dnn = await expandByClick(view, "dnn");
      assert.ok(dnn.count > 10, `dnn has ${dnn.count} ops`);
      await wb.screenshot("20-graph-tf1-estimator");
      const found = await searchAndPick(view, "MatMul", { wantOp: "MatMul" });
      assert.match(found.details.name, /hiddenlayer_\d+\/MatMul$/);
      assert.equal(found.details.attrs.transpose_a, "false (default)", "defaults from the op definition are filled in");
      assert.equal(found.details.attrs.T, "float32");
      await wb.screenshot("21-graph-tf1-search-matmul");
      return `${boxes.length} groups at the top (${boxes.map((b) => `${b.label}: ${b.sub}`).join("; ")}); dnn opened with ${dnn.children.length} children (${dnn.children.slice(0, 4).join(", ")}…); MatMul: ${found.hits.length} hits, selected ${found.details.name}, ${found.matches} matches drawn`;
    },
  },
  {
    name: "Graph view: Keras CNN (potato-cnn-tf29) serving graph, search Conv2D with default attributes, export SVG",
    async run({ wb, wsRoot }) {
      const view = await openGraph(wb, "potato-cnn-tf29", "serving_default");
      const boxes = await collapseAndCheckTop(view, ["StatefulPartitionedCall"]);
      const call = boxes.find((b) => shows(b.label, "StatefulPartitionedCall"));
      assert.match(call.sub, /^ƒ \w+ · \d+ ops$/, `the call box names its function: ${call.sub}`);
      const opened = await expandByClick(view, "StatefulPartitionedCall");
      const found = await searchAndPick(view, "Conv2D", { wantOp: "Conv2D" });
      assert.equal(found.exact, 6, `six Conv2D layers listed first: ${JSON.stringify(found.hits.slice(0, 8))}`);
      const a = found.details.attrs;
      assert.equal(a.dilations, "[1, 1, 1, 1] (default)", "Conv2D dilations filled from the op definition");
      assert.equal(a.data_format, '"NHWC" (default)');
      assert.equal(a.padding, '"VALID"');
      assert.equal(a.strides, "[1, 1, 1, 1]");
      assert.ok(found.details.info.function, "a TF2 node says which function it is in");
      await wb.screenshot("22-graph-keras-cnn-search");
      const file = join(wsRoot, `graph-export-cnn-${Date.now()}.svg`);
      const { text, suggested } = await exportSvg(wb, view, file);
      assert.match(suggested, /serving_default\.svg$/, `the dialog suggests <signature>.svg, got ${suggested}`);
      assert.ok(text.includes(">Conv2D</text>"), "the exported SVG draws the Conv2D nodes' op labels");
      const nodes = (text.match(/<g transform=/g) ?? []).length;
      assert.ok(nodes > 10, `the SVG has ${nodes} items`);
      await view.locator("#status", { hasText: "SVG export ready" }).waitFor({ timeout: 10000 });
      await wb.screenshot("23-graph-keras-cnn-exported");
      return `call box "${call.sub}" opened (${opened.children.length} children); Conv2D: ${found.exact} exact hits, ${found.details.name}: dilations ${a.dilations}; SVG ${text.length} bytes, ${nodes} items`;
    },
  },
  {
    name: "Graph view: hostile node names are escaped in the exported SVG (builder XSS model)",
    async run({ wb, wsRoot, dialogs }) {
      await wb.closeAllEditors();
      await wb.collapseAll();
      await wb.expand("xss");
      await wb.expand(`serve, ${XSS}`);
      await wb.expand("Signatures");
      await wb.rowAction(XSS, "Show Graph");
      const view = wb.webview();
      await view.locator("#status", { hasText: / shown · / }).waitFor({ timeout: 60000 });
      const s = await onScreen(view);
      assert.ok(
        s.items.some((it) => it.label.includes("<img")),
        "the hostile name is drawn as text",
      );
      assert.equal(await view.locator("img").count(), 0, "no <img> element came from a model string");
      const file = join(wsRoot, `graph-export-xss-${Date.now()}.svg`);
      const { text } = await exportSvg(wb, view, file);
      assert.ok(text.includes("&lt;img src=x onerror=alert(1)&gt;"), "the label is escaped in the SVG");
      assert.ok(!text.includes("<img"), "no raw <img in the SVG");
      assert.deepEqual(dialogs ?? [], [], "no alert() ran");
      await wb.screenshot("24-graph-xss-exported");
      return `SVG ${text.length} bytes; ${(text.match(/&lt;img src=x onerror=alert\(1\)&gt;/g) ?? []).length} escaped labels, no raw <img`;
    },
  },
  {
    name: "Graph view: LSTM (lstm-bbc-news-2shards) serving graph, expand bidirectional, search While, trace inputs",
    async run({ wb }) {
      const view = await openGraph(wb, "lstm-bbc-news-2shards", "serving_default");
      // the variables (at the top level of a TF2 signature) are drawn inside their consumers, so the top level
      // is the call; bidirectional is inside it
      const boxes = await collapseAndCheckTop(view, ["StatefulPartitionedCall"]);
      // open the biggest box (the calls, then the Keras model's scope) until bidirectional is drawn
      for (let i = 0; i < 5; i++) {
        const s0 = await onScreen(view);
        if (s0.items.some((it) => it.cls.startsWith("box") && shows(it.label, "bidirectional"))) break;
        const ops = (it) => Number((it.sub.match(/([\d,]+) ops?$/)?.[1] ?? "0").replace(/,/g, ""));
        const biggest = s0.items.filter((it) => it.cls.startsWith("box")).sort((a, b) => ops(b) - ops(a))[0];
        assert.ok(biggest, `a box to open: ${s0.items.map((it) => it.label).join(", ")}`);
        await expandByClick(view, biggest.label);
      }
      const bi = await expandByClick(view, "bidirectional");
      const found = await searchAndPick(view, "While", { wantOp: "While" });
      assert.match(
        found.details.attrs.body ?? "",
        /^ƒ while_body_\d+$/,
        `While's body attribute: ${found.details.attrs.body}`,
      );
      assert.match(found.details.attrs.cond ?? "", /^ƒ while_cond_\d+$/);
      assert.ok(Object.keys(found.details.inputs).length >= 5, "the While node lists its inputs");
      await view.locator("aside.details").getByRole("button", { name: "Trace inputs" }).click();
      const status = view.locator("#status", { hasText: /trace: [\d,]+ nodes upstream/ });
      await status.waitFor({ timeout: 15000 });
      const n = Number((await status.textContent()).match(/trace: ([\d,]+)/)[1].replace(/,/g, ""));
      assert.ok(n > 5, `trace reaches ${n} nodes`);
      const s = await onScreen(view);
      const traced = s.items.filter((it) => it.cls.split(" ").includes("trace"));
      assert.ok(traced.length >= 3, `${traced.length} items drawn as traced`);
      assert.ok(s.traceEdges >= 2, `${s.traceEdges} edges drawn as traced`);
      // keyboard: zoom out one step around the traced While node (no click: that would change the selection)
      await view.locator("#canvas").focus();
      await view.locator("#canvas").press("-");
      await view.locator("aside.details").evaluate((el) => el.scrollTo(0, 0));
      await wb.page.waitForTimeout(500);
      await wb.screenshot("25-graph-lstm-trace");
      return `${boxes.length} top-level groups; bidirectional opened (${bi.children.join(", ")}); While ${found.details.name}: body ${found.details.attrs.body}; trace: ${n} nodes upstream, ${traced.length} items and ${s.traceEdges} edges drawn traced`;
    },
  },
  {
    name: "Graph view: light and high-contrast themes (Keras CNN graph) read well",
    async run({ wb }) {
      const view = await openGraph(wb, "potato-cnn-tf29", "serving_default");
      await searchAndPick(view, "Conv2D", { wantOp: "Conv2D" });
      await view.locator(".search input").press("Escape"); // clears the search; the selection stays
      await view.locator("#canvas svg g.match").first().waitFor({ state: "detached", timeout: 10000 });
      await view.locator("#canvas svg g.node.selected").waitFor({ timeout: 10000 });
      const out = [];
      try {
        for (const [theme, cls, bodyCls, shot] of [
          ["Light Modern", ".monaco-workbench.vs", "body.vscode-light", "26-graph-light"],
          ["Dark High Contrast", ".monaco-workbench.hc-black", "body.vscode-high-contrast", "27-graph-high-contrast"],
          [
            "Light High Contrast",
            ".monaco-workbench.hc-light",
            "body.vscode-high-contrast-light",
            "28-graph-high-contrast-light",
          ],
        ]) {
          await wb.command("Preferences: Color Theme", { pick: theme });
          await wb.page.locator(cls).waitFor({ timeout: 15000 });
          await view.locator(bodyCls).waitFor({ timeout: 15000 });
          await wb.page.waitForTimeout(500);
          const c = await labelContrast(view);
          assert.ok(c.min >= 4.5, `${theme}: labels contrast ${c.min.toFixed(2)} < 4.5 (worst: ${c.worst})`);
          if (theme === "Light Modern") {
            const [r, g, b] = c.bodyBg.match(/\d+/g).map(Number);
            assert.ok(r + g + b > 600, `light background expected, got ${c.bodyBg}`);
          }
          await wb.screenshot(shot);
          out.push(`${theme}: min label contrast ${c.min.toFixed(1)}`);
        }
      } finally {
        await wb.command("Preferences: Color Theme", { pick: "Dark Modern" });
      }
      const c = await labelContrast(view);
      assert.ok(c.min >= 4.5, `Dark Modern: labels contrast ${c.min.toFixed(2)} (worst: ${c.worst})`);
      out.push(`Dark Modern: ${c.min.toFixed(1)}`);
      return out.join("; ");
    },
  },
];

/** Runs the graph scenarios (SME_E2E_ONLY filters them like ui.mjs's); returns [{ name, ok, ms, detail | error }]. */
export async function runGraphUi(ctx) {
  const wsRoot = ctx.wsRoot ?? dirname(dirname(ctx.ws.xss));
  return runScenarioList(graphScenarios, ctx, {
    before: () => ctx.wb.openSavedModelsView(),
    runCtx: { ...ctx, wsRoot },
    nameChars: 48,
  });
}
