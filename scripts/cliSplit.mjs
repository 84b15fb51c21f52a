// esbuild plugin: src/cli/main.ts loads `./run.js` (the executor and tfjs) with import(); in the bundle that
// import becomes require("./cliRun.js"), the separate dist/cliRun.js bundle of src/cli/run.ts, so
// `savedmodel show|vars|scan` never parse the executor. Errors cross the bundles by name (UsageError, SavedModelError).
// A require rather than an import(): bin/savedmodel.js runs dist/cli.js from V8's code cache (a vm.Script), where
// Node 20 has no dynamic import without --experimental-vm-modules.
export const cliSplit = {
  name: "cli-split",
  setup(build) {
    build.onResolve({ filter: /^\.\/run\.js$/ }, (args) =>
      args.importer.replace(/\\/g, "/").endsWith("src/cli/main.ts")
        ? { path: "cliRun", namespace: "cli-split" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "cli-split" }, () => ({
      contents: 'module.exports = require("./cliRun.js");',
      loader: "js",
    }));
    build.onResolve({ filter: /^\.\/cliRun\.js$/, namespace: "cli-split" }, () => ({
      path: "./cliRun.js",
      external: true,
    }));
  },
};
