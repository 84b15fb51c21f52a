// `npm start -- [DIR]`: opens SavedModel Explorer on DIR for a person.
//   - with VS Code's `code` on PATH: builds the extension and runs `code --extensionDevelopmentPath=<repo> DIR`
//     in a throwaway profile;
//   - else: code-server (installed into .cache/ on first use) on 127.0.0.1 with the VSIX installed into a
//     throwaway profile, and prints the URL to open. Ctrl+C stops it and deletes the profile.
// Without DIR it writes the demo export (scripts/make-demo-export.mjs) into a throwaway folder and opens that.
// Either way the folder is trusted (Run works), the AI chat panel is off, the SavedModels view is expanded and
// the export's overview and the graph of its serving signature open (SAVEDMODEL_EXPLORER_OPEN_ON_START=1,
// read by src/extension/startup.ts). Options: --port N (default: a free port), --code-server (skip `code`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
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
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const positional = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--port");
const say = (m) => console.log(`[start] ${m}`);

function onPath(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

async function target() {
  if (positional[0]) {
    const dir = resolve(positional[0]);
    if (!existsSync(dir)) throw new Error(`${dir} does not exist`);
    return statSync(dir).isDirectory() ? dir : dirname(dir);
  }
  const demo = join(scratch, "demo", "1");
  say(`writing the demo export (SavedModelBuilder) to ${demo}`);
  sh(process.execPath, [join(root, "scripts", "make-demo-export.mjs"), demo], { quiet: true });
  return dirname(demo);
}

// everything this session writes (profile, demo export) lives here and is deleted on exit
const scratch = mkdtempSync(join(tmpdir(), "savedmodel-explorer-start-"));
const cleanup = () => rmSync(scratch, { recursive: true, force: true });
process.on("exit", cleanup);

/** User settings of the throwaway profile: no AI chat panel or secondary side bar, no welcome page, no telemetry. */
const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "chat.commandCenter.enabled": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
};

function writeUserSettings(profile) {
  const settings = join(profile, "ud", "User", "settings.json");
  mkdirSync(dirname(settings), { recursive: true });
  writeFileSync(settings, JSON.stringify(USER_SETTINGS, null, 2));
}

const OPEN_ON_START = { SAVEDMODEL_EXPLORER_OPEN_ON_START: "1" };

async function main() {
  const dir = await target();
  if (onPath("code") && !flag("--code-server")) {
    say("building the extension");
    sh(process.execPath, [join(root, "scripts", "build.mjs"), "--extension-only"], { quiet: true });
    say(`opening ${dir} in VS Code (extension loaded from ${root}, throwaway profile in ${scratch})`);
    const profile = join(scratch, "profile");
    writeUserSettings(profile);
    // a separate user data dir makes a new VS Code instance, which takes OPEN_ON_START from this environment;
    // --wait keeps this process (and so the scratch folder) until the window closes
    sh(
      "code",
      [
        "--new-window",
        "--wait",
        "--disable-workspace-trust",
        "--user-data-dir",
        join(profile, "ud"),
        "--extensions-dir",
        join(profile, "exts"),
        `--extensionDevelopmentPath=${root}`,
        dir,
      ],
      { env: { ...process.env, ...OPEN_ON_START } },
    );
    return;
  }
  say("VS Code's `code` is not on PATH: using code-server");
  await ensureOsPackages();
  await ensureNode24();
  say(await ensureCodeServer());
  const vsix = join(root, ".cache", "start", "savedmodel-explorer.vsix");
  mkdirSync(dirname(vsix), { recursive: true });
  say("building and packaging the extension");
  sh(process.execPath, [join(root, "scripts", "package.mjs"), "--out", vsix], { quiet: true });
  const profile = join(scratch, "profile");
  writeUserSettings(profile);
  const csArgs = profileArgs(profile);
  const env = { ...csEnv(), ...OPEN_ON_START };
  sh(csBin, [...csArgs, "--install-extension", vsix, "--force"], { env, quiet: true });
  const port = Number(opt("--port") ?? (await freePort()));
  const logFile = join(root, ".cache", "start", "code-server.log");
  const out = openSync(logFile, "w");
  // loopback only, so no password; detached: code-server leads its process group and Ctrl+C stops all of it
  const server = spawn(csBin, [...csArgs, ...serverArgs(port, { trust: true }), dir], {
    env,
    stdio: ["ignore", out, out],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  };
  process.on("SIGINT", () => (stop(), process.exit(0)));
  process.on("SIGTERM", () => (stop(), process.exit(0)));
  server.on("exit", (code) => {
    say(`code-server exited (${code}); log: ${logFile}`);
    process.exit(code ?? 0);
  });
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`SavedModel Explorer is running on ${dir}`);
  console.log(`\n    http://127.0.0.1:${port}/?folder=${encodeURIComponent(dir)}\n`);
  say(`open that URL in a browser on this machine (log: ${logFile}); Ctrl+C stops the server`);
}

main().catch((e) => {
  console.error(`[start] ${e?.message ?? e}`);
  process.exit(1);
});
