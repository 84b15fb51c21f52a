/**
 * The comparison editor's graph changes in headless Chromium (skipped without /usr/bin/chromium): the graph
 * view's own renderer draws B's signature with A's removed node merged in; the changed, added and removed nodes
 * carry the diff classes and theme colours, the legend counts them, "Next change" (keyboard) selects one and the
 * details say what changed. Screenshots (dark, light) land in .cache/diff-overlay/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { GraphHarness } from "../../bench/graphHarness.js";
import { diffPicture } from "../../src/graph/diffPicture.js";
import { buildDisplayGraph, graphSourceFromSavedModel } from "../../src/graph/index.js";
import { SavedModel } from "../../src/savedmodel/proto.js";
import { tinyTf2 } from "../diff/pairs.js";
import { readFileSync } from "node:fs";
import { main } from "../../src/cli/main.js";
import { signatureDiffPicture } from "../../src/graph/diffPicture.js";
import type { DiffReport } from "../../src/savedmodel/diff/index.js";
import { fixturePath, skipNoFixtures } from "../helpers/fixtures.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
const SHOTS = join(__dirname, "..", "..", ".cache", "diff-overlay");

test(
  "graph changes in Chromium: coloured nodes, legend, next change, details",
  { skip, timeout: 180_000 },
  async () => {
    const picture = (relu: boolean) =>
      buildDisplayGraph(
        graphSourceFromSavedModel(
          SavedModel.decode(
            tinyTf2({ activation: relu ? "Relu" : "Tanh" })
              .save()
              .get("saved_model.pb")!,
          ),
        ),
        { signature: "serving_default" },
      );
    const gA = picture(true);
    const gB = picture(false);
    const fn = gB.nodes.find((n) => n.name === "dense/act")!.fn;
    const { graph, overlay } = diffPicture(
      gA,
      gB,
      [
        { kind: "changed", function: fn, node: "dense/act", op: "Tanh", what: ["op"], before: "Relu", after: "Tanh" },
        { kind: "added", function: fn, node: "dense/MatMul", op: "MatMul" },
        { kind: "removed", function: fn, node: "dense/BiasAdd", op: "BiasAdd" },
      ],
      { a: "model/1", b: "model/2" },
    );
    mkdirSync(SHOTS, { recursive: true });
    const h = new GraphHarness();
    await h.start();
    try {
      for (const theme of ["dark", "light"] as const) {
        const { page } = await h.open(graph, { theme, width: 1200, height: 700, diff: overlay });
        for (const cls of ["diff-changed", "diff-added", "diff-removed"])
          assert.equal(await page.locator(`g.${cls}`).count(), 1, `one node with ${cls} on screen`);
        const fills = await page.evaluate(() => {
          const f = (c: string) => getComputedStyle(document.querySelector(`g.${c} rect.body`)!).stroke;
          return { changed: f("diff-changed"), added: f("diff-added"), removed: f("diff-removed") };
        });
        assert.equal(new Set(Object.values(fills)).size, 3, `three colours: ${JSON.stringify(fills)}`);
        const legend = await page.locator(".diff-legend").innerText();
        assert.match(legend, /Changes · serving_default/);
        assert.match(legend, /added in B \(1\)/);
        assert.match(legend, /removed, drawn from A \(1\)/);
        assert.match(legend, /changed.*\(1\)/);
        // the run overlay's Time / Run… do not belong here
        assert.equal(await page.locator("#toolbar .time-toggle").count(), 0);
        // Next change, from the keyboard, until the changed node is selected: the details say Relu → Tanh
        const next = page.locator("#toolbar vscode-button.next-change");
        await next.focus();
        for (let i = 0; i < 3; i++) {
          await page.keyboard.press("Enter");
          await page.waitForTimeout(150);
          if ((await page.locator(".details").innerText()).includes("Relu → Tanh")) break;
        }
        const details = await page.locator(".details").innerText();
        assert.match(details, /Relu → Tanh/);
        const tip = await page.locator("g.diff-removed > title").textContent();
        assert.match(tip ?? "", /removed \(only in A/);
        await page.screenshot({ path: join(SHOTS, `changes-${theme}.png`) });
        await page.close();
      }
    } finally {
      await h.stop();
    }
  },
);

test(
  "real pair (half_plus_two CPU → GPU, classify_x_to_y): groups holding changes open, unchanged groups collapsed",
  { skip: skip || skipNoFixtures, timeout: 180_000 },
  async () => {
    const [a, b] = [fixturePath("serving-half-plus-two-cpu"), fixturePath("serving-half-plus-two-gpu")];
    let out = "";
    await main(["diff", a, b, "--json", "--only", "graph"], { out: (s) => (out += s), err: () => undefined, cwd: "." });
    const gd = (JSON.parse(out) as DiffReport).graph![0];
    const sig = "classify_x_to_y";
    const pic = (dir: string) =>
      buildDisplayGraph(graphSourceFromSavedModel(SavedModel.decode(readFileSync(join(dir, "saved_model.pb")))), {
        signature: sig,
      });
    const { graph, overlay } = signatureDiffPicture(gd, sig, pic(a), pic(b), { a: "cpu", b: "gpu" });
    assert.equal(overlay.unplaced, 0, "every change of the signature is in its picture");
    assert.ok(overlay.groups.length < graph.groups.length, "some groups hold no change");
    const h = new GraphHarness();
    await h.start();
    try {
      const { page } = await h.open(graph, { width: 1300, height: 800, diff: overlay });
      const boxes = await page.locator("#canvas svg g.box").count();
      const boxesInside = await page.locator("#canvas svg g.box.diff-inside").count();
      const frames = await page.locator("#canvas svg g.frame").count();
      const framesInside = await page.locator("#canvas svg g.frame.diff-inside").count();
      assert.ok(boxes >= 1, "an unchanged group is drawn collapsed");
      assert.equal(boxesInside, 0, "no group holding a change is collapsed");
      assert.equal(framesInside, frames, "every open group holds a change");
      const marked = await page.locator("#canvas svg g.diff-changed, #canvas svg g.diff-removed").count();
      assert.equal(marked, overlay.nodes.length, "every marked node is on screen");
      await page.click("#toolbar vscode-button:text-is('Fit')");
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, "half-plus-two-cpu-gpu.png") });
      await page.close();
    } finally {
      await h.stop();
    }
  },
);
