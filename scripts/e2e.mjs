// End-to-end tests of the extension in a real VS Code: code-server (npm, on Node 24) with the built VSIX
// installed into a throwaway profile, a workspace of fixtures in /tmp served on 127.0.0.1, driven by
// Debian's chromium through playwright-core; then the in-host integration suite (extensionTestsPath).
// Installs what is missing (apt: chromium + native headers when root; Node 24 and code-server into .cache/).
// Usage: node scripts/e2e.mjs [--keep] [--ui-only] [--host-only] [--skip-run] [--headed] [--screenshots-to DIR]
//   --skip-run: leave out the run feature's scenarios (test/e2e/runE2e.mjs, run after the others)
//   --screenshots-to DIR: also copy the README screenshots (tree, overview, variable, graph, error, themes) to DIR   (SME_E2E_ONLY=word,word runs matching UI scenarios)
// Artifacts: test-artifacts/e2e/ (screenshots, report.json, server log, console log). Exit code 0 = all passed.
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  csBin,
  csEnv,
  ensureCodeServer,
  ensureNode24,
  ensureOsPackages,
  freePort,
  profileArgs,
  serverArgs,
  sh,
} from "./codeServer.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const cache = join(root, ".cache");
const artifacts = join(root, "test-artifacts", "e2e");
const T0 = Date.now();
const timings = {};
const log = (...a) => console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);

async function step(name, fn) {
  const t = Date.now();
  log(`${name}…`);
  const r = await fn();
  timings[name] = Date.now() - t;
  log(`${name}: ${timings[name]} ms`);
  return r;
}

// ---- 2. the extension, the workspace, the profile -------------------------------------------------------

function cliJson(args, okCodes = [0]) {
  // `vars`/`show` exit 1 when they reported errors (an incomplete export) and still print their JSON
  const r = spawnSync(process.execPath, [join(root, "bin", "savedmodel.js"), ...args, "--json"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, SAVEDMODEL_FROM_SOURCE: "1" },
  });
  if (!okCodes.includes(r.status ?? -1))
    throw new Error(`savedmodel ${args.join(" ")} --json failed (exit ${r.status})\n${(r.stderr ?? "").slice(-4000)}`);
  return JSON.parse(r.stdout);
}

function readCsVersion() {
  try {
    return JSON.parse(readFileSync(join(dirname(csBin), "..", "code-server", "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

// ---- main -----------------------------------------------------------------------------------------

let server;
let scratch;

function stopServer() {
  if (server && server.exitCode === null) {
    // code-server leads its process group: kill the group (agentHost, fileWatcher, copilot-runtime too)
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  await step("os packages", ensureOsPackages);
  await step("node 24", ensureNode24);
  await step("code-server", ensureCodeServer);
  const vsix = join(cache, "e2e", "savedmodel-explorer.vsix");
  mkdirSync(dirname(vsix), { recursive: true });
  await step("build + package VSIX", async () => {
    // the VSIX (production, staged) for the UI run; dist/ (development) for the in-host run's extensionDevelopmentPath
    sh(process.execPath, [join(root, "scripts", "build.mjs"), "--extension-only"], { quiet: true });
    return sh(process.execPath, [join(root, "scripts", "package.mjs"), "--out", vsix], { quiet: true })
      .split("\n")
      .filter((l) => l.startsWith("package:"))
      .join("; ");
  });

  scratch = mkdtempSync(join(tmpdir(), "sme-e2e-"));
  const ws = join(scratch, "ws");
  const state = join(scratch, "state");
  const ws_ = await step("workspace", async () =>
    JSON.parse(
      sh(process.execPath, ["--import", "tsx", join(root, "test", "e2e", "makeWorkspace.ts"), ws, join(cache, "e2e")], {
        quiet: true,
        cwd: root,
      }),
    ),
  );
  const names = ["serving-half-plus-two-cpu", "potato-cnn-tf29", "serving-half-plus-three"];
  const cli = {};
  const vars = {};
  await step("CLI --json for the checked folders", async () => {
    for (const n of names) cli[n] = cliJson(["show", ws_[n], "--all"]);
    vars["potato-cnn-tf29"] = cliJson(["vars", ws_["potato-cnn-tf29"]]);
    vars["incomplete-albert-tf23"] = cliJson(["vars", ws_["incomplete-albert-tf23"]], [0, 1]);
  });
  const infoFile = join(scratch, "e2e-info.json");
  // an export outside the workspace, for "Open Export Folder…" (a symlink in the scratch folder)
  const outside = join(scratch, "outside-export");
  symlinkSync(join(root, "..", "shared", "fixtures", "tfjs-times-two-int"), outside, "dir");
  writeFileSync(infoFile, JSON.stringify({ ws: ws_, cli, vars, outside }));

  mkdirSync(join(state, "ud", "User"), { recursive: true });
  writeFileSync(
    join(state, "ud", "User", "settings.json"),
    JSON.stringify({
      "workbench.startupEditor": "none",
      "chat.disableAIFeatures": true,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "workbench.tips.enabled": false,
      "security.workspace.trust.enabled": false,
      "window.commandCenter": false,
      // start dark so that the light-theme scenario really switches; keep the secondary side bar closed
      "workbench.colorTheme": "Dark Modern",
      "workbench.secondarySideBar.defaultVisibility": "hidden",
    }),
  );
  const csArgs = profileArgs(state);
  const env = csEnv();
  await step("install VSIX into the profile", async () => {
    sh(csBin, [...csArgs, "--install-extension", vsix], { env, quiet: true });
    return sh(csBin, [...csArgs, "--list-extensions", "--show-versions"], { env, quiet: true }).trim();
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const resultFile = join(scratch, "host-results.json");
  await step("start code-server", async () => {
    const { openSync } = await import("node:fs");
    const out = openSync(join(artifacts, "server.log"), "w");
    // detached: code-server leads its own session/process group, so stopServer() can kill the whole group
    server = spawn(csBin, [...csArgs, ...serverArgs(port, { trust: true, smokeTestDriver: true }), ws], {
      env: { ...env, SME_E2E_INFO: infoFile, SME_E2E_RESULT_FILE: resultFile },
      stdio: ["ignore", out, out],
      detached: true,
    });
    for (let i = 0; i < 300; i++) {
      try {
        const r = await fetch(`${base}/healthz`);
        if (r.ok) return base;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("code-server did not answer /healthz within 30 s");
  });

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !args.has("--headed"),
    args: CHROMIUM_ARGS,
  });
  const report = { codeServer: readCsVersion(), ui: [], host: undefined, timings };
  try {
    if (!args.has("--host-only")) {
      await step("UI scenarios", async () => {
        const { Workbench } = await import("../test/e2e/workbench.mjs");
        const { runUi } = await import("../test/e2e/ui.mjs");
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        const consoleLines = [];
        const dialogs = [];
        page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
        page.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss().catch(() => undefined)));
        context.on("page", (p) =>
          p.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss().catch(() => undefined))),
        );
        await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`, { waitUntil: "domcontentloaded" });
        await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
        await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60000 });
        const wb = new Workbench(page, { shotsDir: artifacts, log });
        report.ui = await runUi({ wb, page, cli, ws: ws_, dialogs, log });
        const { runGraphUi } = await import("../test/e2e/graphUi.mjs");
        report.ui.push(...(await runGraphUi({ wb, page, ws: ws_, wsRoot: ws, dialogs, log })));
        // the comparison editor (test/e2e/compareUi.mjs)
        const { runCompareUi } = await import("../test/e2e/compareUi.mjs");
        report.ui.push(...(await runCompareUi({ wb, page, ws: ws_, dialogs, log })));
        writeFileSync(join(artifacts, "ui-console.txt"), consoleLines.join("\n"));
        await context.close();
      });
    }
    if (!args.has("--ui-only")) {
      await step("extension-host tests", async () => {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
        const page = await context.newPage();
        const consoleLines = [];
        page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
        let exitResolve;
        const exited = new Promise((r) => (exitResolve = r));
        // VS Code web calls window.codeAutomationExit(code) when an extensionTestsPath run ends
        await page.exposeFunction("codeAutomationExit", (code) => exitResolve(code));
        const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
        const payload = JSON.stringify([
          ["extensionDevelopmentPath", remote(root)],
          ["extensionTestsPath", remote(join(root, "test", "e2e", "host", "index.js"))],
        ]);
        await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`, {
          waitUntil: "domcontentloaded",
        });
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 300000))]);
        await page.screenshot({ path: join(artifacts, "host-tests.png") }).catch(() => undefined);
        writeFileSync(join(artifacts, "host-console.txt"), consoleLines.join("\n"));
        report.host = existsSync(resultFile)
          ? JSON.parse(readFileSync(resultFile, "utf8"))
          : { failures: 1, results: [], error: `no result file (exit ${code})` };
        report.host.exitCode = code;
        for (const r of report.host.results ?? [])
          log(
            `${r.ok ? "PASS" : "FAIL"} [host] ${r.name} (${r.ms} ms)${r.detail ? `: ${r.detail}` : ""}${r.ok ? "" : `\n${r.error}`}`,
          );
        await context.close();
      });
    }
  } finally {
    await browser.close().catch(() => undefined);
    stopServer();
  }
  // the run feature's scenarios: test/e2e/runE2e.mjs (its own workspace; a trusted and a Restricted Mode server)
  if (!args.has("--ui-only") && !args.has("--host-only") && !args.has("--skip-run"))
    report.run = await step(
      "run-feature scenarios",
      () =>
        new Promise((resolve) => {
          const p = spawn(
            process.execPath,
            [
              join(root, "test", "e2e", "runE2e.mjs"),
              ...(args.has("--screenshots-to") ? ["--update-screenshots"] : []),
            ],
            { cwd: root, stdio: "inherit" },
          );
          p.on("exit", (code) => resolve({ ok: code === 0, code, report: "test-artifacts/run-e2e/results.json" }));
        }),
    );
  timings.total = Date.now() - T0;
  writeFileSync(join(artifacts, "report.json"), JSON.stringify(report, null, 2));
  const uiFailed = report.ui.filter((r) => !r.ok);
  const hostFailed = report.host
    ? report.host.results.filter((r) => !r.ok).length + (report.host.results.length ? 0 : 1)
    : 0;
  log(
    `UI: ${report.ui.length - uiFailed.length}/${report.ui.length} passed; host: ${report.host ? `${report.host.results.length - hostFailed}/${report.host.results.length} passed` : "skipped"}; total ${(timings.total / 1000).toFixed(1)} s`,
  );
  log(`artifacts: ${artifacts}`);
  const shotsTo = process.argv[process.argv.indexOf("--screenshots-to") + 1];
  if (args.has("--screenshots-to") && shotsTo) {
    mkdirSync(shotsTo, { recursive: true });
    const readme = {
      "03-tf2-tree.png": "tree.png",
      "04-overview-dark.png": "overview.png",
      "05-variable-view.png": "variable.png",
      "07-corrupt-overview.png": "error.png",
      "09-overview-light.png": "overview-light.png",
      "11-graph-panel.png": "graph.png",
      ...(await import("../test/e2e/graphUi.mjs")).graphReadmeShots,
      ...(await import("../test/e2e/compareUi.mjs")).compareReadmeShots,
    };
    for (const [from, to] of Object.entries(readme))
      if (existsSync(join(artifacts, from))) copyFileSync(join(artifacts, from), join(shotsTo, to));
    log(`README screenshots copied to ${shotsTo}`);
  }
  if (!args.has("--keep")) rmSync(scratch, { recursive: true, force: true });
  else log(`kept ${scratch}`);
  // one plain closing line over every end-to-end test (UI, in-host, run feature)
  const runResults =
    report.run && existsSync(join(root, report.run.report))
      ? JSON.parse(readFileSync(join(root, report.run.report), "utf8"))
      : [];
  const runFailed =
    runResults.filter((r) => !r.ok).length + (report.run && !report.run.ok && !runResults.some((r) => !r.ok) ? 1 : 0);
  const total = report.ui.length + (report.host?.results.length ?? 0) + runResults.length;
  const failed = uiFailed.length + hostFailed + runFailed;
  console.log(`e2e: ${total - failed} passed, ${failed} failed`);
  return uiFailed.length || hostFailed || (report.run && !report.run.ok) ? 1 : 0;
}

for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => (stopServer(), process.exit(130)));
// CI budget: a warm run takes about a minute, a fresh machine (apt + code-server install) about four
const WATCHDOG_MS = Number(process.env.SME_E2E_TIMEOUT_MS ?? 15 * 60_000);
setTimeout(() => {
  console.error(`[e2e] FAILED: still running after ${WATCHDOG_MS / 1000} s; stopping`);
  stopServer();
  process.exit(1);
}, WATCHDOG_MS).unref();
process.on("exit", stopServer);

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[e2e] FAILED: ${e?.stack ?? e}`);
    stopServer();
    process.exit(1);
  },
);
