/**
 * Copy as… with hostile model strings (issue 9 item 6): every generated snippet can only make the intended call.
 * Shell lines run in a real `sh` with the tool replaced by a function that prints its arguments (nothing injected
 * may run: a marker file must not appear); the Python snippet is parsed with Python's own `ast`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assignmentKey,
  cliCommand,
  curlCommand,
  pythonSnippet,
  quotePosix,
  quotePowerShell,
  servingRequest,
  type RunRecipe,
} from "../../src/webview/run/copyAs.js";

/** Strings an export controls (names, tags, keys, values) that try to break out of their quotes. */
const HOSTILE = [
  `x=__import__("os").system("touch PWNED"), y`,
  `a'; touch PWNED; echo '`,
  `$(touch PWNED)`,
  "`touch PWNED`",
  `"; touch PWNED; echo "`,
  "\u2018; touch PWNED; echo \u2019",
  "\x1b]0;owned title\x07",
  "\x1b[201~; touch PWNED\n",
  "line\r\ntouch PWNED",
  "right\u202eto-left",
  "tab\there\nnewline",
  "\\'; touch PWNED #",
  "caf\u00e9 \u{1F600}",
];
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function sandbox(): string {
  return mkdtempSync(join(tmpdir(), "copyas-"));
}

/** Runs `line` in `sh` with `tool` defined as a function printing its arguments NUL-separated. */
function shWords(line: string, tool: string, cwd: string): string[] {
  const script = `${tool}() { printf '%s\\0' "$@"; }\n${line}\n`;
  const r = spawnSync("sh", ["-c", script], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

const recipe = (s: string, key = "x"): RunRecipe => ({
  dir: `/tmp/${s}`,
  tags: [s, "serve"],
  signature: s,
  methodName: "tensorflow/serving/predict",
  inputs: [
    { key, kind: "expr", dtype: "string", shape: [1], value: [s] },
    { key: key + "2", kind: "expr", dtype: "float32", shape: [1], value: [1] },
  ],
});

test("POSIX quoting: sh gets back every hostile string exactly, and nothing injected runs", () => {
  const dir = sandbox();
  try {
    for (const s of HOSTILE) {
      const q = quotePosix(s);
      assert.doesNotMatch(q, RAW_CONTROL, `raw control character in ${JSON.stringify(q)}`);
      assert.deepEqual(shWords(`tool ${q}`, "tool", dir), [s]);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("savedmodel / saved_model_cli lines: hostile dir, tags, signature and string values stay arguments", () => {
  const dir = sandbox();
  try {
    for (const s of HOSTILE) {
      for (const tool of ["savedmodel", "saved_model_cli"] as const) {
        const line = cliCommand(recipe(s), tool);
        assert.doesNotMatch(line, RAW_CONTROL);
        const words = shWords(line, tool, dir);
        assert.deepEqual(words.slice(0, 7), [
          "run",
          "--dir",
          `/tmp/${s}`,
          "--tag_set",
          `${s},serve`,
          "--signature_def",
          s,
        ]);
        assert.equal(words[7], "--input_exprs");
        // the value is one Python/JSON string literal: x=["..."];x2=[1.0]
        const m = /^x=\[(.*)\];x2=\[1\.0\]$/s.exec(words[8]);
        assert.ok(m, words[8]);
        assert.equal(JSON.parse(m[1]), s);
        assert.equal(words.length, 9);
      }
    }
    assert.ok(!existsSync(join(dir, "PWNED")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("input keys the KEY=VALUE syntax cannot carry are refused, not written", () => {
  for (const k of [`x=1;y`, `a;b`, `k"`, `k'`, "k\x1b", "k y", "", "k[0]"]) {
    assert.throws(() => assignmentKey(k), /cannot be written/);
    assert.throws(() => cliCommand(recipe("m", k), "savedmodel"), /cannot be written/);
  }
  assert.equal(assignmentKey("input_1:0/x.y-z"), "input_1:0/x.y-z");
});

test("curl line: the hostile strings reach curl as one JSON body, nothing injected runs", () => {
  const dir = sandbox();
  try {
    for (const s of HOSTILE) {
      const r = recipe(s, s);
      const line = curlCommand(r, s);
      assert.doesNotMatch(line, RAW_CONTROL);
      const words = shWords(line, "curl", dir);
      assert.equal(words.length, 7, JSON.stringify(words));
      assert.deepEqual(words.slice(0, 2), ["-X", "POST"]);
      assert.equal(words[2], `http://localhost:8501/v1/models/${encodeURIComponent(s)}:predict`);
      const body = JSON.parse(words[6]);
      assert.deepEqual(body, { signature_name: s, inputs: { [s]: [s], [s + "2"]: [1] } });
      assert.doesNotMatch(servingRequest(r).body, RAW_CONTROL);
    }
    assert.ok(!existsSync(join(dir, "PWNED")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PowerShell quoting doubles every quote PowerShell accepts and joins controls in as [char]", () => {
  assert.equal(quotePowerShell("a'b"), "'a''b'");
  assert.equal(quotePowerShell("a\u2019b"), "'a\u2019\u2019b'");
  assert.equal(quotePowerShell("a,b"), "'a,b'");
  assert.equal(quotePowerShell("a\x1bb"), "('' + 'a' + [char]0x001B + 'b')");
  for (const s of HOSTILE) assert.doesNotMatch(quotePowerShell(s), RAW_CONTROL);
  const pwsh = spawnSync("pwsh", ["-NoProfile", "-Command", "exit 0"]);
  if (pwsh.error) return; // no PowerShell here: the structural checks above are all we can do
  for (const s of HOSTILE) {
    const r = spawnSync("pwsh", ["-NoProfile", "-Command", `[Console]::Out.Write(${quotePowerShell(s)})`], {
      encoding: "utf8",
    });
    assert.equal(r.stdout, s.replace(/\r?\n/g, "\n"));
  }
});

/** Python's ast of the snippet: every call made and the keys of the inputs dict. */
function pythonCalls(src: string): { calls: string[]; keys: unknown[]; kwargs: string[] } | undefined {
  const prog = `
import ast, json, sys
tree = ast.parse(sys.stdin.read())
def dotted(f):
    if isinstance(f, ast.Name): return f.id
    if isinstance(f, ast.Attribute): return dotted(f.value) + "." + f.attr
    return "<" + type(f).__name__ + ">"
calls, keys, kwargs = [], [], []
for n in ast.walk(tree):
    if isinstance(n, ast.Call):
        calls.append(dotted(n.func))
        kwargs += [k.arg or "**" for k in n.keywords]
    if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "inputs" for t in n.targets):
        keys = [k.value if isinstance(k, ast.Constant) else "<non-constant>" for k in n.value.keys]
print(json.dumps({"calls": sorted(set(calls)), "keys": keys, "kwargs": sorted(set(kwargs))}))
`;
  const r = spawnSync("python3", ["-c", prog], { input: src, encoding: "utf8" });
  if (r.error) return undefined;
  assert.equal(r.status, 0, `${r.stderr}\n--- snippet ---\n${src}`);
  return JSON.parse(r.stdout);
}

test("Python snippet: inputs are a dict of string-literal keys; the only calls are the intended ones", (t) => {
  let checked = 0;
  for (const s of HOSTILE) {
    const r = recipe(s, s);
    r.inputs.push({ key: `f${s}`, kind: "file", dtype: "float32", shape: [1], file: "in.npz[y]" });
    const py = pythonSnippet(r);
    assert.doesNotMatch(py, RAW_CONTROL);
    const a = pythonCalls(py);
    if (!a) return t.skip("python3 is not available");
    assert.deepEqual(a.keys, [s, s + "2", `f${s}`]);
    assert.deepEqual(a.calls, [
      "fn",
      "np.array",
      "np.load",
      "outputs.items",
      "print",
      "tf.constant",
      "tf.saved_model.load",
      "value.numpy",
    ]);
    assert.deepEqual(a.kwargs, ["**", "dtype", "tags"]);
    checked++;
  }
  assert.equal(checked, HOSTILE.length);
});
