/** What a CLI command gets from its caller: output streams and the working directory. */
export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
}

export class UsageError extends Error {
  // `run` is bundled apart (dist/cliRun.js): main.ts recognises its errors by name
  override name = "UsageError";
}

/** Minimal flag parser for saved_model_cli-style options: `--flag value`, `--flag=value`, boolean flags. */
export function parseFlags(
  argv: string[],
  spec: { values: string[]; booleans: string[]; repeatable?: string[] },
): { flags: Record<string, string | boolean | string[]>; positional: string[] } {
  const flags: Record<string, string | boolean | string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = (eq > 0 ? a.slice(2, eq) : a.slice(2)).replace(/-/g, "_");
    if (spec.booleans.includes(name)) {
      flags[name] = eq > 0 ? a.slice(eq + 1) !== "false" : true;
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    if (spec.repeatable?.includes(name)) flags[name] = [...((flags[name] as string[]) ?? []), value];
    else flags[name] = value;
  }
  return { flags, positional };
}
