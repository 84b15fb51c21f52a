// The layering of README.md "Architecture", checked by `npm run lint:deps` (part of `npm run test:all`).
//   proto/            generated code; imports nothing of ours
//   src/savedmodel/   pure decoding + builder; Node only in src/savedmodel/node/
//   src/graph/        display graphs, shared by the decode worker and the graph webview
//   src/shared/       pure helpers both the host side and the webviews use (display formats, tf.Example, value
//                     expressions, histograms)
//   src/protocol/     message types and the request/reply channel between host, workers and webviews
//   src/executor/     the session runtime (runs in a worker)
//   src/extension/    the ONLY code importing vscode
//   src/webview/      browser code; only webview code imports it
//   src/cli/          the savedmodel command
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "vscode-only-in-extension",
      comment: "Only src/extension/ talks to the editor; everything else runs without VS Code.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/extension/" },
      to: { path: "^vscode$" },
    },
    {
      name: "no-node-in-webview",
      comment: "Webviews run in a browser: no Node built-ins.",
      severity: "error",
      from: { path: "^src/webview/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "no-node-in-pure-code",
      comment:
        "src/savedmodel/ (outside node/), src/graph/, src/shared/ and src/protocol/ run in workers and webviews: no Node built-ins.",
      severity: "error",
      from: { path: "^src/(savedmodel|graph|shared|protocol)/", pathNot: "^src/savedmodel/node/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "pure-savedmodel-not-node-savedmodel",
      comment: "Pure src/savedmodel/ code may not reach Node code through src/savedmodel/node/.",
      severity: "error",
      from: {
        path: "^src/savedmodel/",
        pathNot: "^src/savedmodel/node/",
      },
      to: { path: "^src/savedmodel/node/" },
    },
    {
      name: "webview-only-from-webview",
      comment:
        "Nothing but webview code imports src/webview/ (what the host needs too lives in src/shared/ or src/protocol/).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/webview/" },
      to: { path: "^src/webview/" },
    },
    {
      name: "webview-imports",
      comment: "Webviews use pure code only: not the host, the executor, the CLI or Node-only savedmodel code.",
      severity: "error",
      from: { path: "^src/webview/" },
      to: { path: "^src/(extension|executor|cli|savedmodel/node)/" },
    },
    {
      name: "savedmodel-is-the-floor",
      comment: "src/savedmodel/ decodes; it imports nothing above it.",
      severity: "error",
      from: { path: "^src/savedmodel/" },
      to: { path: "^src/(graph|shared|protocol|executor|extension|webview|cli)/" },
    },
    {
      name: "pure-layers-stay-pure",
      comment: "src/graph/ and src/shared/ are imported by every runtime, so they import no runtime.",
      severity: "error",
      from: { path: "^src/(graph|shared)/" },
      to: { path: "^src/(executor|extension|webview|cli)/" },
    },
    {
      name: "protocol-names-no-host-or-view",
      comment:
        "src/protocol/ is imported by every runtime: it may name the executor's result types, nothing of the host, the webviews or the CLI.",
      severity: "error",
      from: { path: "^src/protocol/" },
      to: { path: "^src/(extension|webview|cli)/" },
    },
    {
      name: "executor-runs-without-editor",
      comment: "The executor runs in a worker of the host or the CLI: it imports neither.",
      severity: "error",
      from: { path: "^src/executor/" },
      to: { path: "^src/(extension|webview|cli)/" },
    },
    {
      name: "cli-without-editor",
      comment: "The CLI runs without VS Code.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/(extension|webview)/" },
    },
    {
      name: "proto-imports-nothing-of-ours",
      severity: "error",
      from: { path: "^proto/" },
      to: { path: "^src/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves (vscode is provided by the editor at run time).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^vscode$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts", ".json"],
    },
  },
};
