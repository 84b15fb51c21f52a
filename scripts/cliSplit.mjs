// esbuild plugin: src/cli/main.ts loads `./run.js` (the executor and tfjs) with import(); in the bundle that
// import becomes require("./cliRun.js"), the separate dist/cliRun.js bundle of src/cli/run.ts, so
// `savedmodel show|vars|scan` never parse the executor. Errors cross the bundles by name (UsageError, SavedModelError).
export const cliSplit = {
  name: "cli-split",
  setup(build) {
    build.onResolve({ filter: /^\.\/run\.js$/ }, (args) =>
      args.importer.replace(/\\/g, "/").endsWith("src/cli/main.ts")
        ? { path: "./cliRun.js", external: true }
        : undefined,
    );
  },
};
