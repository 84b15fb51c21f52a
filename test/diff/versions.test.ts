/** Compare With Previous Version: which sibling folder is the previous TF Serving version. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { previousVersion } from "../../src/extension/compare/versions.js";

const at = (path: string, scheme = "file") => ({ uri: { scheme, authority: "", path } });

test("the previous version is the largest numbered sibling below, not a gap-filler or another model", () => {
  const v1 = at("/ws/model/1");
  const v2 = at("/ws/model/2");
  const v10 = at("/ws/model/10");
  const other = at("/ws/other/5");
  const named = at("/ws/model/latest");
  const all = [v10, other, v1, named, v2];
  assert.equal(previousVersion(v10, all), v2);
  assert.equal(previousVersion(v2, all), v1);
  assert.equal(previousVersion(v1, all), undefined);
  assert.equal(previousVersion(named, all), undefined);
  assert.equal(previousVersion(at("/ws/model/3", "vscode-remote"), all), undefined);
});
