/**
 * Ops that touch files, network or processes. The executor refuses them at run time (ReadFile only
 * for assets inside the export folder, PrintV2 only to stderr/stdout) and `scan` lists them.
 */
export const UNSAFE_OPS: Record<string, string> = {
  WriteFile: "writes a file",
  MatchingFiles: "lists files",
  Save: "writes a checkpoint",
  SaveV2: "writes a checkpoint",
  SaveSlices: "writes a checkpoint",
  MergeV2Checkpoints: "writes/deletes checkpoint files",
  PyFunc: "runs Python",
  PyFuncStateless: "runs Python",
  EagerPyFunc: "runs Python",
  WriteSummary: "writes a summary file",
  CreateSummaryFileWriter: "writes summary files",
  WriteScalarSummary: "writes a summary file",
  WriteHistogramSummary: "writes a summary file",
  WriteImageSummary: "writes a summary file",
  WriteAudioSummary: "writes a summary file",
  WriteRawProtoSummary: "writes a summary file",
  ImmutableConst: "maps a file into memory",
  DebugIdentityV3: "sends tensors to a debug server",
  DebugNumericSummaryV2: "sends tensors to a debug server",
  _Send: "sends tensors to another device/process",
  _Recv: "receives tensors from another device/process",
  _HostSend: "sends tensors to another device/process",
  _HostRecv: "receives tensors from another device/process",
  RpcCall: "makes network calls",
  Rpc: "makes network calls",
  TryRpc: "makes network calls",
  DatasetToTFRecord: "writes a file",
  ExperimentalDatasetToTFRecord: "writes a file",
  TFRecordDataset: "reads files",
  TFRecordDatasetV2: "reads files",
  TextLineDataset: "reads files",
  FixedLengthRecordDataset: "reads files",
  FixedLengthRecordDatasetV2: "reads files",
  SaveDataset: "writes files",
  SaveDatasetV2: "writes files",
  LoadDataset: "reads files",
  WholeFileReader: "reads files",
  WholeFileReaderV2: "reads files",
  Abort: "aborts the process",
};

/** What `scan` flags besides the refused ops: reads and prints that are allowed only in a safe form. */
export const SCAN_DENYLIST: Record<string, string> = {
  ...UNSAFE_OPS,
  ReadFile: "reads a file (the executor allows assets inside the export folder only)",
  PrintV2: "prints, possibly to a file (the executor allows stderr/stdout only)",
  ImmutableConst: "maps a file into memory",
};

/** Op families from TensorFlow add-on libraries (TF Text, Decision Forests, Addons, ...): native code, not TensorFlow's. */
export const KNOWN_CUSTOM_OP =
  /^(Sentencepiece|Wordpiece|Whitespace|UnicodeScriptTokenize|SplitMerge|RegexSplitWithOffsets|CaseFoldUTF8|NormalizeUTF8|SentenceFragments|ConstrainedSequence|MaxSpanningTree|RougeL|TokenizerFromLogits|SimpleML|TFText|Addons>|TPU)/;
