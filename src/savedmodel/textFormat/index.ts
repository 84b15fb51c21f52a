/**
 * Protobuf text format (saved_model.pbtxt and friends) for the TensorFlow messages in proto/,
 * driven by protobufjs reflection metadata and producing/consuming the generated static classes.
 */
export { parseTextFormat, parseTextFormatBytes, type ParseOptions } from "./parser.js";
export { printTextFormat } from "./printer.js";
