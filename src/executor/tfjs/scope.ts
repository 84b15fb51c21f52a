/**
 * tfjs records every tensor created inside a scope (engine.startScope) until endScope, disposed ones included.
 * A run is one scope, so a loop that creates and frees constant-size tensors grows that list — and the heap —
 * without end (~20 MB/s for an endless While). Dropping the already-disposed entries keeps memory flat; endScope
 * behaves the same (it only disposes live, unkept tensors of the list).
 */
import * as tf from "@tensorflow/tfjs-core";

interface ScopeInternals {
  state?: { activeScope?: { track?: tf.Tensor[] } };
}

export function pruneDisposedFromScope(): void {
  const scope = (tf.engine() as unknown as ScopeInternals).state?.activeScope;
  const track = scope?.track;
  if (!track || track.length < 1024) return;
  let w = 0;
  for (let r = 0; r < track.length; r++) if (!track[r].isDisposed) track[w++] = track[r];
  track.length = w;
}
