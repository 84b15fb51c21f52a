/** Which colour family an op belongs to (the legend), and which ops are boilerplate. */
import type { OpKind } from "./model.js";

const EXACT: Record<string, OpKind> = {
  Placeholder: "input",
  PlaceholderWithDefault: "input",
  PlaceholderV2: "input",
  _Arg: "input",
  _Retval: "output",
  Const: "constant",
  HostConst: "constant",
  VarHandleOp: "variable",
  VariableV2: "variable",
  Variable: "variable",
  ReadVariableOp: "variable",
  AssignVariableOp: "variable",
  AssignAddVariableOp: "variable",
  AssignSubVariableOp: "variable",
  ResourceGather: "variable",
  Assign: "variable",
  AssignAdd: "variable",
  HashTableV2: "variable",
  MutableHashTableV2: "variable",
  Identity: "array",
  IdentityN: "array",
  NoOp: "control",
  StatefulPartitionedCall: "call",
  PartitionedCall: "call",
};

const NN =
  /^(Conv|DepthwiseConv|MatMul|BatchMatMul|BiasAdd|Relu|Relu6|Elu|Selu|Gelu|LeakyRelu|Softmax|LogSoftmax|Softplus|Softsign|Sigmoid|Tanh|MaxPool|AvgPool|FusedBatchNorm|LRN|CudnnRNN|Einsum|Dropout|L2Loss|SparseSoftmax|SoftmaxCross|Dilation|Erosion|ResizeBilinear|ResizeNearest|NonMaxSuppression|TopK|InTopK|Conv2DBackprop|_Fused)/;
const CONTROL =
  /^(If|StatelessIf|While|StatelessWhile|Case|StatelessCase|Switch|Merge|Enter|Exit|NextIteration|LoopCond|RefSwitch|RefMerge|RefEnter|RefExit|ControlTrigger|Assert|StopGradient|For|Abort)$/;
const ARRAY =
  /^(Reshape|Shape|ShapeN|Size|Rank|ExpandDims|Squeeze|Transpose|Concat|ConcatV2|Pack|Unpack|Split|SplitV|Slice|StridedSlice|Gather|GatherV2|GatherNd|Scatter|Tile|Pad|PadV2|MirrorPad|Fill|ZerosLike|OnesLike|Range|Cast|Bitcast|Where|Reverse|ReverseV2|OneHot|BroadcastTo|BroadcastArgs|Unique|Ensure|TensorList|TensorArray|Ragged|Sparse|DynamicStitch|DynamicPartition|SpaceToBatch|BatchToSpace|DepthToSpace|SpaceToDepth|Snapshot|CheckNumerics|Empty|Diag|MatrixBandPart|MatrixDiag|InvertPermutation|Select|SelectV2)/;
const IO =
  /^(Save|Restore|MergeV2Checkpoints|ShardedFilename|StringJoin|StaticRegex|Regex|String|Substr|ReadFile|WriteFile|Decode|Encode|Parse|Serialize|AsString|StringToNumber|Print|Lookup|Initialize|InitializeTable|LookupTable|Dataset|Iterator|Sentencepiece|Wordpiece|Unicode|Normalize|Summary|Audio|Image|Histogram|Scalar)/;
const MATH =
  /^(Add|AddV2|AddN|Sub|Mul|Div|RealDiv|FloorDiv|FloorMod|Mod|Neg|Abs|Exp|Log|Log1p|Sqrt|Rsqrt|Square|SquaredDifference|Pow|Maximum|Minimum|Sum|Mean|Prod|Max|Min|ArgMax|ArgMin|All|Any|Equal|NotEqual|Less|LessEqual|Greater|GreaterEqual|LogicalAnd|LogicalOr|LogicalNot|Floor|Ceil|Round|Rint|Sign|Reciprocal|Inv|Cumsum|Cumprod|Erf|Sin|Cos|Tan|Atan|Atan2|Asin|Acos|DivNoNan|MulNoNan|Xdivy|Xlogy|TruncateDiv|BitwiseAnd|BitwiseOr|LeftShift|RightShift|ClipByValue|IsNan|IsFinite|IsInf|Softmax|Lgamma|Digamma|Betainc|Igamma|Random|StatelessRandom|Multinomial|TruncatedNormal|Bucketize|Histogram|Einsum|Cross|Cholesky|MatrixInverse|Qr|Svd|Segment|Unsorted)/;

/** The legend colour family of an op type. */
export function opKind(op: string, isCall = false): OpKind {
  if (isCall) return "call";
  const exact = EXACT[op];
  if (exact) return exact;
  if (NN.test(op)) return "nn";
  if (CONTROL.test(op)) return "control";
  if (/Variable|VarHandle|HashTable/.test(op)) return "variable";
  if (ARRAY.test(op)) return "array";
  if (IO.test(op)) return "io";
  if (MATH.test(op)) return "math";
  return "other";
}

const BOILER_OPS = new Set([
  "NoOp",
  "SaveV2",
  "SaveSlices",
  "Save",
  "RestoreV2",
  "Restore",
  "RestoreSlice",
  "MergeV2Checkpoints",
  "ShardedFilename",
  "ShardedFilespec",
  "StaticRegexFullMatch",
]);
const BOILER_TOP_SCOPES =
  /^(save|save_\d+|saver_filename|init|init_\d+|init_all_tables|legacy_init_op|report_uninitialized_\w+)$/;

/**
 * Save/restore, init and NoOp plumbing that hides the model. `topLevel` is true for nodes of the meta
 * graph's GraphDef (name scopes like `save/` only mean the saver there).
 */
export function isBoilerplate(name: string, op: string, topLevel: boolean): boolean {
  if (BOILER_OPS.has(op)) return true;
  if (!topLevel) return false;
  const first = name.split("/", 1)[0];
  if (BOILER_TOP_SCOPES.test(first)) return true;
  if (
    /\/(Assign$|Initializer\/|IsInitialized\/)/.test(name) &&
    /^(Assign|AssignVariableOp|VarIsInitializedOp|IsVariableInitialized)$/.test(op)
  )
    return true;
  return false;
}
