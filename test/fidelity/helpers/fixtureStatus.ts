/** Fixture status from ../shared/fixtures/README.md's tables: complete exports vs broken-on-purpose ones. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES_DIR } from "../../helpers/fixtures.js";

/** name → status text ("ok", "complete", "broken: ...", "incomplete ...", "corrupt"). */
export function fixtureStatuses(): Map<string, string> {
  const out = new Map<string, string>();
  const readme = join(FIXTURES_DIR, "README.md");
  if (!existsSync(readme)) return out;
  for (const line of readFileSync(readme, "utf8").split("\n")) {
    const m = /^\|\s*([a-z0-9][\w.-]*)\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (m && m[1] !== "model") out.set(m[1], m[2]);
  }
  return out;
}

export function isComplete(status: string | undefined): boolean {
  return status === "ok" || status === "complete";
}
