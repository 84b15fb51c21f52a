/**
 * The comparison of two exports as plain JSON-serialisable data: the `savedmodel.diff/1` schema that
 * `savedmodel diff --json` prints and the comparison editor shows. Field names are stable (documented in
 * docs/diff.md).
 */
import type { Diagnostic } from "../errors.js";

/** What a change means for a client of TF Serving. */
export type Severity = "breaking" | "compatible" | "none";

/** One change in the serving contract (tags, signatures, inputs, outputs). */
export interface ContractChange {
  /** "+" added, "-" removed, "~" changed. */
  kind: "added" | "removed" | "changed";
  /** What changed: a tag set, a signature, its method, an input/output, or one property of it. */
  subject:
    | "tag_set"
    | "signature"
    | "method"
    | "input"
    | "output"
    | "dtype"
    | "shape"
    | "encoding"
    | "default"
    | "tensor_name";
  /** Tag set ("serve"), signature key, and input/output key when the change is inside one. */
  tagSet: string;
  signature?: string;
  /** "inputs" or "outputs" for changes inside a tensor. */
  side?: "inputs" | "outputs";
  tensor?: string;
  before?: string;
  after?: string;
  severity: Severity;
  /** Why this is breaking / compatible / harmless, in a sentence. */
  reason: string;
}

export interface VariableDrift {
  /** Checkpoint keys in A and B (they differ when matched by object path). */
  keyA: string;
  keyB: string;
  name: string;
  matchedBy: "checkpoint_key" | "object_path";
  dtype: string;
  shape: number[];
  elements: number;
  /** max |Δ|, mean |Δ|, ‖Δ‖₂/‖A‖₂ (Infinity when A is all zeros and B is not), fraction of elements that differ. */
  maxAbs: number;
  meanAbs: number;
  relL2: number;
  fractionChanged: number;
  /** Elements where exactly one side is NaN. */
  nanMismatch: number;
}

export interface VariableChange {
  kind: "added" | "removed" | "changed";
  name: string;
  keyA?: string;
  keyB?: string;
  /** For "changed": what changed (dtype, shape) or why values could not be compared. */
  what?: "name" | "dtype" | "shape" | "unreadable" | "not_numeric";
  before?: string;
  after?: string;
  detail?: string;
}

export interface WeightsDiff {
  /** Matched variables whose values were compared, sorted by drift (relative L2, then max |Δ|) descending. */
  drift: VariableDrift[];
  /** Added, removed, reshaped, retyped or unreadable variables. */
  changes: VariableChange[];
  matched: number;
  identical: number;
  bytesCompared: number;
}

export interface OpCountChange {
  op: string;
  a: number;
  b: number;
}

export interface NodeChange {
  kind: "added" | "removed" | "changed";
  /** The function the node sits in ("" = the top-level graph); B's name for matched functions. */
  function: string;
  node: string;
  op?: string;
  /** For "changed": what differs. */
  what?: ("op" | "attrs" | "inputs" | "device")[];
  /** Names of the attributes that differ. */
  attrs?: string[];
  /** Old and new op (when the op changed), inputs (when they changed) or device. */
  before?: string;
  after?: string;
}

export interface FunctionMatch {
  a: string;
  b: string;
  matchedBy: "name" | "name_without_suffix" | "structure";
  /** Node changes inside the body. */
  changed: boolean;
}

export interface SignatureGraphDiff {
  tagSet: string;
  signature: string;
  /** Node changes in the graph and functions the signature reaches. */
  nodes: NodeChange[];
}

export interface GraphDiff {
  tagSet: string;
  opHistogram: OpCountChange[];
  functions: {
    matched: FunctionMatch[];
    added: string[];
    removed: string[];
  };
  /** Every node change in the top-level graph and matched functions. */
  nodes: NodeChange[];
  signatures: SignatureGraphDiff[];
}

export interface FileChange {
  kind: "added" | "removed" | "changed";
  path: string;
  sizeA?: number;
  sizeB?: number;
  /** CRC32C of the contents (hex), the content hash shown to users. */
  hashA?: string;
  hashB?: string;
}

export interface FingerprintFieldChange {
  field: string;
  a?: string;
  b?: string;
  /** What a difference in this field means. */
  meaning: string;
}

export interface FilesDiff {
  assets: FileChange[];
  fingerprint: FingerprintFieldChange[];
  /** Fingerprint present in A / B. */
  fingerprintA: boolean;
  fingerprintB: boolean;
  /** TF version, producer, format, schema version changes, one line each. */
  producer: { field: string; a?: string; b?: string }[];
}

export interface OutputDelta {
  key: string;
  dtype: string;
  shapeA: number[];
  shapeB: number[];
  maxAbs: number;
  meanAbs: number;
  /** For classifier-like outputs ([N, C], C > 1, float): fraction of rows whose argmax differs. */
  argmaxChanged?: number;
  /** Within --atol (and same shape). */
  equal: boolean;
  detail?: string;
}

export interface BehaviourDiff {
  signature: string;
  atol: number;
  /** "seeded_random" when no inputs were given. */
  inputs: "given" | "seeded_random";
  seed?: number;
  outputs: OutputDelta[];
  /** Outputs only one side has. */
  onlyA: string[];
  onlyB: string[];
  beyondAtol: boolean;
}

export interface ExportSide {
  location: string;
  format: "binary" | "text";
  tagSets: string[][];
  tfVersion?: string;
}

export interface DiffSummary {
  breaking: number;
  compatible: number;
  none: number;
  /** The worst contract severity, or "identical" when the contract did not change. */
  contract: Severity | "identical";
  weightsChanged: number;
  graphChanged: boolean;
  filesChanged: number;
  outputsBeyondAtol?: boolean;
  /** True when anything at all differs in the compared sections. */
  anyChange: boolean;
}

export interface DiffReport {
  schema: "savedmodel.diff/1";
  a: ExportSide;
  b: ExportSide;
  /** Narrowing applied (--tag_set / --signature_def). */
  tagSet?: string[];
  signatureDef?: string;
  sections: Section[];
  summary: DiffSummary;
  contract: ContractChange[];
  weights?: WeightsDiff;
  graph?: GraphDiff[];
  files?: FilesDiff;
  behaviour?: BehaviourDiff;
  diagnostics: (Diagnostic & { side: "a" | "b" })[];
}

export type Section = "contract" | "weights" | "graph" | "files";
export const ALL_SECTIONS: Section[] = ["contract", "weights", "graph", "files"];
