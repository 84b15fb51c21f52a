/** Where the real TensorFlow exports live (../shared/fixtures), and a skip reason when absent. */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

// SAVEDMODEL_FIXTURES overrides the location (a git worktree nested one level deeper than the project).
export const FIXTURES_DIR = process.env.SAVEDMODEL_FIXTURES
  ? resolve(process.env.SAVEDMODEL_FIXTURES)
  : resolve(__dirname, "..", "..", "..", "shared", "fixtures");
export const haveFixtures = existsSync(FIXTURES_DIR);
/** Pass as `{ skip }` to node:test when the fixtures folder is missing. */
export const skipNoFixtures: string | false = haveFixtures
  ? false
  : `fixtures folder not found at ${FIXTURES_DIR} (the real TensorFlow exports live in ../shared/fixtures)`;

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** Names of every fixture export folder. */
export function fixtureNames(): string[] {
  if (!haveFixtures) return [];
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
