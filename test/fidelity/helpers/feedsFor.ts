/** Inputs for any signature of a loaded session: tiny deterministic tensors, tf.Examples the graph's parser accepts. */
import { exampleFeatures, type ProgramLike } from "./examplesFor.js";
import { tinyFeeds, type Feed, type Spec } from "./tinyInputs.js";

interface SessionLike {
  state: { program: unknown };
}

export function feedsFor(
  s: SessionLike,
  sig: { inputs: Spec[]; method?: string },
  encodeExample: (f: never) => Uint8Array,
): Record<string, Feed> {
  const feeds = tinyFeeds(sig);
  const features = exampleFeatures(s.state.program as ProgramLike);
  if (!features) return feeds;
  for (const i of sig.inputs) {
    if (i.dtype !== 7 || (i.shape && i.shape.length > 1)) continue;
    const ex = encodeExample(features as never);
    const shape = i.shape ? i.shape.map((d) => (d < 0 ? 1 : d)) : [1];
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[i.key] = { dtype: 7, shape, values: Array.from({ length: n }, () => ex) };
  }
  return feeds;
}
