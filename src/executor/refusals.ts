/**
 * Ops the executor has no kernel for on purpose, with why: they cannot run where TensorFlow serves a
 * signature either (GPU-only kernels on a CPU) or belong to training input pipelines, not to a
 * signature's feeds and fetches. A run that reaches one is refused naming the op and this reason.
 */
export const NOT_SERVING_OPS: Record<string, string> = {
  CudnnRNN:
    "a cuDNN (GPU-only) kernel; Keras exports carry a CPU implementation (api_implements), which the executor selects",
  CudnnRNNV2:
    "a cuDNN (GPU-only) kernel; Keras exports carry a CPU implementation (api_implements), which the executor selects",
  CudnnRNNV3:
    "a cuDNN (GPU-only) kernel; Keras exports carry a CPU implementation (api_implements), which the executor selects",
  CudnnRNNBackprop: "the gradient of a cuDNN (GPU-only) kernel, used in training only",
  CudnnRNNBackpropV2: "the gradient of a cuDNN (GPU-only) kernel, used in training only",
  CudnnRNNBackpropV3: "the gradient of a cuDNN (GPU-only) kernel, used in training only",
  IteratorGetNext: "reads a tf.data input pipeline (training input), not a signature's feed",
  IteratorGetNextSync: "reads a tf.data input pipeline (training input), not a signature's feed",
  MakeIterator: "starts a tf.data input pipeline (training input), not a signature's feed",
  OptionalNone: "part of a tf.data input pipeline (training input)",
  OptionalFromValue: "part of a tf.data input pipeline (training input)",
  OptionalGetValue: "part of a tf.data input pipeline (training input)",
  OptionalHasValue: "part of a tf.data input pipeline (training input)",
};
