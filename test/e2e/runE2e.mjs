// The run feature's end-to-end test in a real VS Code (code-server + Debian chromium + playwright-core),
// on its own until the project's harness calls runScenarios.mjs: stages a VSIX with the run feature
// (runStage.mjs), writes a workspace outside the repo (runWorkspace.ts), starts code-server twice —
// trusted (the run scenarios) and in Restricted Mode (the trust gate) — and writes screenshots and a
// JSON report to test-artifacts/run-e2e/.
// Usage: node test/e2e/runE2e.mjs [--only "substring of a scenario name"] [--skip-restricted] [--update-screenshots]
// Installs what is missing through scripts/codeServer.mjs (chromium, Node 24, code-server into .cache/).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Workbench } from "./workbench.mjs";
import { runAll, runScenarios, restrictedScenarios } from "./runScenarios.mjs";
import { stage } from "./runStage.mjs";
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
} from "../../scripts/codeServer.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);

const CACHE = join(root, ".cache");
const WORK = join(CACHE, "run-e2e");
const OUT = join(root, "test-artifacts", "run-e2e");
const WS = "/tmp/savedmodel-run-e2e-ws";
const CS = csBin;
/** Screenshots the README shows. */
const README_SHOTS = [
  "run-00-validation",
  "run-02-predict-result",
  "run-04-classify-examples",
  "run-05-image-topk",
  "run-05b-random-image-output",
  "run-06-profile-node-value",
  "run-07-running-notification",
  "run-09-error",
  "run-10-open-failing-node",
  "run-11-restricted-mode",
  "run-13-graph-time-value",
  "run-14-graph-value-histogram",
  "run-15-graph-const-values",
];

async function startServer(name, vsix, { trusted }) {
  const state = join(WORK, `state-${name}`);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(join(state, "ud", "User"), { recursive: true });
  const settings = {
    "workbench.startupEditor": "none",
    "chat.disableAIFeatures": true,
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "files.simpleDialog.enable": true,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.banner": "never",
  };
  writeFileSync(join(state, "ud", "User", "settings.json"), JSON.stringify(settings, null, 2));
  const env = csEnv();
  const csArgs = profileArgs(state);
  const inst = spawnSync(CS, [...csArgs, "--install-extension", vsix], { env, encoding: "utf8" });
  if (inst.status !== 0) throw new Error(`installing the VSIX failed: ${inst.stderr || inst.stdout}`);
  const port = await freePort();
  const child = spawn(CS, [...csArgs, ...serverArgs(port, { trust: trusted }), WS], {
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = [];
  child.stdout.on("data", (d) => logs.push(String(d)));
  child.stderr.on("data", (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* gone */
      }
      writeFileSync(join(OUT, `server-${name}.log`), logs.join(""));
    },
  };
}

async function session(browser, url, name, list) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${url}/?folder=${encodeURIComponent(WS)}`, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60000 });
  const wb = new Workbench(page, { shotsDir: OUT, log });
  const ws = JSON.parse(process.env.RUN_E2E_WS);
  const results = await runAll(list, { wb, page, log, ws, only });
  writeFileSync(join(OUT, `console-${name}.txt`), consoleLines.join("\n"));
  await context.close();
  return results;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  // chromium, Node 24 and code-server (cached in .cache/), as the project's e2e harness installs them
  log(`OS packages: ${await ensureOsPackages()}`);
  log(`Node 24: ${await ensureNode24()}`);
  log(`code-server: ${await ensureCodeServer()}`);
  log("staging the extension with the run feature…");
  const vsix = await stage(WORK);
  log(`VSIX ${vsix}`);
  rmSync(WS, { recursive: true, force: true });
  const mk = spawnSync(process.execPath, ["--import", "tsx", join(root, "test", "e2e", "runWorkspace.ts"), WS], {
    cwd: root,
    encoding: "utf8",
  });
  if (mk.status !== 0) throw new Error(`workspace: ${mk.stderr}`);
  process.env.RUN_E2E_WS = mk.stdout.trim();
  log(`workspace ${WS}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const all = [];
  try {
    const trusted = await startServer("trusted", vsix, { trusted: true });
    try {
      all.push(...(await session(browser, trusted.url, "trusted", runScenarios)));
    } finally {
      trusted.stop();
    }
    if (!args.includes("--skip-restricted")) {
      const restricted = await startServer("restricted", vsix, { trusted: false });
      try {
        all.push(...(await session(browser, restricted.url, "restricted", restrictedScenarios)));
      } finally {
        restricted.stop();
      }
    }
  } finally {
    await browser.close();
  }
  writeFileSync(join(OUT, "results.json"), JSON.stringify(all, null, 2));
  if (args.includes("--update-screenshots")) {
    // the README's pictures of the run feature (docs/screenshots/run-*.png)
    const dest = join(root, "docs", "screenshots");
    mkdirSync(dest, { recursive: true });
    for (const f of README_SHOTS)
      if (existsSync(join(OUT, `${f}.png`))) copyFileSync(join(OUT, `${f}.png`), join(dest, `${f}.png`));
    log(`README screenshots copied to ${dest}`);
  }
  const failed = all.filter((r) => !r.ok);
  log(
    `${all.length - failed.length}/${all.length} passed in ${((Date.now() - T0) / 1000).toFixed(0)} s; screenshots in ${OUT}`,
  );
  process.exit(failed.length ? 1 : 0);
}

main().catch((e) => {
  console.error("FAILED", e);
  process.exit(2);
});
