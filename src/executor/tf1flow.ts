/**
 * TF1 control flow: a dynamic (tagged-token) scheduler for bodies with Switch/Merge/Enter/Exit/
 * NextIteration. Each node instance runs in a frame tag ("" = root, plus frame name and iteration per
 * nesting level). Dead tensors (the untaken side of a Switch) propagate through ordinary ops, Merge
 * forwards the first live input, dead values stop at NextIteration, and loop invariants
 * (Enter is_constant) reach every iteration, as in TensorFlow's executor.
 */
import * as tf from "@tensorflow/tfjs-core";
import { attrBool, attrStr } from "./attrs.js";
import { neededNodes, type Body } from "./graph.js";
import { captureTaps, checkAbort, hold, release, runNode, type ExecRequest } from "./interpreter.js";
import { NodeError, type RunState } from "./kernel.js";
import { Dead, ResourceHandle, isTensor, type Value } from "./values.js";

const ENTER = new Set(["Enter", "RefEnter"]);
const EXIT = new Set(["Exit", "RefExit"]);
const NEXT = new Set(["NextIteration", "RefNextIteration"]);
const MERGE = new Set(["Merge", "RefMerge"]);
const SWITCH = new Set(["Switch", "RefSwitch"]);
const IDENTITY_LIKE = new Set(["LoopCond", ...ENTER, ...EXIT, ...NEXT]);

/** What a live control edge carries (control inputs are never read). */
const LIVE_CONTROL: Value = new ResourceHandle("<control>", "other", "");

/** Loop iterations beyond this are treated as a runaway loop. */
const MAX_ITERATIONS = 1_000_000;

interface Inst {
  node: number;
  tag: string;
  inputs: (Value | undefined)[];
  arrived: number;
  need: number;
  ctrlDead: boolean;
  fired: boolean;
}

interface Frame {
  consts: { enter: number; value: Value }[];
  started: number;
}

// Tags: segments joined by SEP, each "frame" + ITER + iteration (frame names may contain '/' and '@').
const SEP = "\u0000";
const ITER = "\u0001";

function splitTag(tag: string): { parent: string; frame: string; iter: number } {
  const slash = tag.lastIndexOf(SEP);
  const seg = tag.slice(slash + 1);
  const at = seg.lastIndexOf(ITER);
  return { parent: tag.slice(0, slash), frame: seg.slice(0, at), iter: Number(seg.slice(at + 1)) };
}

function showTag(tag: string): string {
  return tag
    ? tag
        .split(SEP)
        .filter(Boolean)
        .map((s) => s.replace(ITER, " iteration "))
        .join(" / ")
    : "root";
}

export async function executeDynamic(body: Body, run: RunState, req: ExecRequest): Promise<Value[]> {
  const fed = new Set(req.feeds?.keys() ?? []);
  const roots = [...req.fetches.map((f) => f.node), ...(req.targets ?? [])];
  const needed = neededNodes(body, roots, fed);
  const args = req.args ?? [];
  const dataCons = new Map<number, { c: number; slot: number; index: number }[]>();
  const argCons = new Map<number, { c: number; slot: number }[]>();
  const ctrlCons = new Map<number, number[]>();
  for (const n of needed) {
    if (fed.has(n)) continue;
    const node = body.nodes[n];
    node.inputs.forEach((inp, slot) => {
      if (inp.node < 0) {
        const a = -1 - inp.node;
        argCons.set(a, [...(argCons.get(a) ?? []), { c: n, slot }]);
      } else {
        const l = dataCons.get(inp.node) ?? [];
        l.push({ c: n, slot, index: inp.index });
        dataCons.set(inp.node, l);
      }
    });
    for (const p of node.control) ctrlCons.set(p, [...(ctrlCons.get(p) ?? []), n]);
  }
  const insts = new Map<string, Inst>();
  const queue: Inst[] = [];
  const frames = new Map<string, Frame>();
  const results = new Map<number, Value[]>();
  const fetchNodes = new Set(req.fetches.map((f) => f.node));
  const deadExits = new Map<string, { node: number; tag: string }>();
  const liveExits = new Set<string>();

  const frameOf = (key: string): Frame => {
    let f = frames.get(key);
    if (!f) frames.set(key, (f = { consts: [], started: 1 }));
    return f;
  };

  const inst = (n: number, tag: string): Inst => {
    const key = `${tag}|${n}`;
    let I = insts.get(key);
    if (!I) {
      const node = body.nodes[n];
      I = {
        node: n,
        tag,
        inputs: new Array(node.inputs.length),
        arrived: 0,
        need: node.inputs.length + node.control.length,
        ctrlDead: false,
        fired: false,
      };
      insts.set(key, I);
    }
    return I;
  };

  const deliver = (value: Value, c: number, slot: number, tag: string): void => {
    const I = inst(c, tag);
    if (I.fired) return;
    I.arrived++;
    if (slot < 0) {
      if (value instanceof Dead) I.ctrlDead = true;
    } else {
      I.inputs[slot] = value;
      hold(run, value);
    }
    const op = body.nodes[c].op;
    if (MERGE.has(op)) {
      // A fired Merge stays in the map so that its late (dead) inputs are absorbed.
      if (slot >= 0 && !(value instanceof Dead)) {
        I.fired = true;
        propagate(c, tag, [value, tf.scalar(slot, "int32")], false);
        releaseInputs(I);
      } else if (I.arrived === I.need) {
        I.fired = true;
        propagate(c, tag, [], true);
        releaseInputs(I);
      }
      return;
    }
    if (I.arrived === I.need) queue.push(I);
  };

  const releaseInputs = (I: Inst): void => {
    for (const v of I.inputs) release(run, v);
    I.inputs = [];
  };

  const startIteration = (frameKey: string, iter: number): void => {
    const f = frameOf(frameKey);
    if (iter < f.started) return;
    if (iter > MAX_ITERATIONS)
      throw new Error(`loop "${showTag(frameKey)}" ran more than ${MAX_ITERATIONS} iterations`);
    f.started = iter + 1;
    for (const { enter, value } of f.consts)
      for (const e of dataCons.get(enter) ?? []) deliver(value, e.c, e.slot, `${frameKey}${ITER}${iter}`);
  };

  const propagate = (n: number, tag: string, outs: Value[], dead: boolean): void => {
    const node = body.nodes[n];
    let outTag = tag;
    if (ENTER.has(node.op)) {
      const frameKey = `${tag}${SEP}${attrStr(node.attrs, "frame_name", node.name)}`;
      outTag = `${frameKey}${ITER}0`;
      if (!dead && attrBool(node.attrs, "is_constant")) {
        const f = frameOf(frameKey);
        f.consts.push({ enter: n, value: outs[0] });
        hold(run, outs[0]); // for iterations yet to start; freed with the run
        for (let k = 1; k < f.started; k++)
          for (const e of dataCons.get(n) ?? []) deliver(outs[0], e.c, e.slot, `${frameKey}${ITER}${k}`);
      }
    } else if (EXIT.has(node.op)) {
      const parent = splitTag(tag).parent;
      if (dead) {
        deadExits.set(`${parent}|${n}`, { node: n, tag: parent });
        return;
      }
      liveExits.add(`${parent}|${n}`);
      outTag = parent;
    } else if (NEXT.has(node.op)) {
      if (dead) return;
      const t = splitTag(tag);
      outTag = `${t.parent}${SEP}${t.frame}${ITER}${t.iter + 1}`;
      startIteration(`${t.parent}${SEP}${t.frame}`, t.iter + 1);
    }
    if (outTag === "" && fetchNodes.has(n)) {
      results.set(n, dead ? [] : outs);
      if (!dead) for (const v of outs) hold(run, v);
    }
    for (const e of dataCons.get(n) ?? []) {
      const v = dead ? Dead.instance : outs[e.index];
      if (v === undefined)
        throw new NodeError(
          node.name,
          node.op,
          body.name,
          [],
          `output ${e.index} was not produced (the op returned ${outs.length})`,
        );
      deliver(v, e.c, e.slot, outTag);
    }
    for (const c of ctrlCons.get(n) ?? []) deliver(dead ? Dead.instance : LIVE_CONTROL, c, -1, outTag);
    // Outputs nobody took are freed now (hold + release disposes a tensor no slot holds).
    if (!dead)
      for (const v of outs)
        if (isTensor(v)) {
          hold(run, v);
          release(run, v);
        }
  };

  // Seed: feeds, arguments, input-less nodes.
  for (const [n, m] of req.feeds ?? []) {
    const outs: Value[] = [];
    for (const [i, v] of m) outs[i] = v;
    propagate(n, "", outs, false);
  }
  for (const [a, cons] of argCons) for (const e of cons) deliver(args[a], e.c, e.slot, "");
  for (const n of needed) {
    if (fed.has(n)) continue;
    const node = body.nodes[n];
    if (node.inputs.length === 0 && node.control.length === 0) queue.push(inst(n, ""));
  }

  let steps = 0;
  for (;;) {
    while (queue.length) {
      const I = queue.shift()!;
      insts.delete(`${I.tag}|${I.node}`);
      I.fired = true;
      if ((++steps & 255) === 0) {
        checkAbort(run);
        await new Promise<void>((r) => setImmediate(r));
      }
      const node = body.nodes[I.node];
      const inputs = I.inputs as Value[];
      if (I.ctrlDead || inputs.some((v) => v instanceof Dead)) {
        propagate(I.node, I.tag, [], true);
      } else if (SWITCH.has(node.op)) {
        const p = inputs[1];
        if (!isTensor(p)) throw new NodeError(node.name, node.op, body.name, [], "predicate is not a tensor");
        const taken = (await p.data())[0] !== 0;
        propagate(I.node, I.tag, taken ? [Dead.instance, inputs[0]] : [inputs[0], Dead.instance], false);
      } else if (IDENTITY_LIKE.has(node.op)) {
        propagate(I.node, I.tag, [inputs[0]], false);
      } else {
        const out = await runNode(body, node, inputs.slice(), run);
        if (run.taps) captureTaps(run, body, I.node, out);
        propagate(I.node, I.tag, out, false);
      }
      // The instance's inputs are no longer needed: free what no other slot holds.
      releaseInputs(I);
    }
    // Loops that never produced a live Exit (e.g. inside an untaken branch) exit dead.
    const pending = [...deadExits.entries()].filter(([k]) => !liveExits.has(k));
    deadExits.clear();
    if (!pending.length) break;
    for (const [k, { node, tag }] of pending) {
      liveExits.add(k);
      for (const e of dataCons.get(node) ?? []) deliver(Dead.instance, e.c, e.slot, tag);
      for (const c of ctrlCons.get(node) ?? []) deliver(Dead.instance, c, -1, tag);
    }
  }

  const fetched = req.fetches.map((f) => {
    if (f.node < 0) return args[-1 - f.node];
    const v = results.get(f.node)?.[f.index];
    if (v === undefined || v instanceof Dead) {
      const nd = body.nodes[f.node];
      const waiting = [...insts.values()]
        .filter((I) => !I.fired)
        .sort((x, y) => y.tag.length - x.tag.length)
        .slice(0, typeof process !== "undefined" && process.env?.SME_DEBUG_FLOW ? 1000 : 6)
        .map((I) => {
          const w = body.nodes[I.node];
          const missing = w.inputs
            .map((inp, j) =>
              I.inputs[j] === undefined ? (inp.node < 0 ? `arg${-1 - inp.node}` : body.nodes[inp.node].name) : "",
            )
            .filter(Boolean);
          return `${w.name} [${showTag(I.tag)}] waits for ${missing.join(", ") || "control inputs"}`;
        });
      throw new NodeError(
        nd.name,
        nd.op,
        body.name,
        [],
        `fetched output ${f.index} was not produced (dead branch, or a loop that never exited)${waiting.length ? `; still waiting: ${waiting.join("; ")}` : ""}`,
      );
    }
    return v;
  });
  // Hand the fetched values over to the caller (it holds them next).
  for (const n of new Set(req.fetches.map((f) => f.node)))
    if (n >= 0) for (const v of results.get(n) ?? []) release(run, v, false);
  return fetched;
}
