/** src/savedmodel/dtypes.ts keeps DataType as a plain table (no generated code in webviews): it matches types.proto. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensorflow } from "../src/savedmodel/proto.js";
import { DataType, dtypeEnumName, parseDtype } from "../src/savedmodel/dtypes.js";

test("the DataType table has exactly the generated enum's names and values", () => {
  const generated = Object.fromEntries(
    Object.entries(tensorflow.DataType as unknown as Record<string, number | string>).filter(
      ([, v]) => typeof v === "number",
    ),
  );
  assert.deepEqual({ ...DataType }, generated);
  assert.equal(dtypeEnumName(101), "DT_FLOAT_REF");
  assert.equal(dtypeEnumName(999), "DT_UNKNOWN_999");
  assert.equal(parseDtype("DT_HALF"), DataType.DT_HALF);
  assert.equal(parseDtype("bfloat16"), DataType.DT_BFLOAT16);
});
