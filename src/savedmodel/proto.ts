/**
 * The generated TensorFlow message classes (static protobufjs code from proto/tensorflow/*.proto),
 * re-exported under short names. 64-bit fields are `number | bigint`: a number whenever the
 * value fits in 2^53 (see proto/runtime.js).
 */
import { tensorflow, google } from "../../proto/generated/tensorflow.js";

export { tensorflow, google };
export const {
  SavedModel,
  MetaGraphDef,
  GraphDef,
  NodeDef,
  AttrValue,
  FunctionDef,
  FunctionDefLibrary,
  OpDef,
  OpList,
  TensorProto,
  TensorShapeProto,
  SignatureDef,
  TensorInfo,
  SavedObjectGraph,
  SavedObject,
  TrackableObjectGraph,
  BundleHeaderProto,
  BundleEntryProto,
  FingerprintDef,
  GraphDebugInfo,
  SavedMetadata,
  VariableDef,
  CollectionDef,
  StructuredValue,
  TypeSpecProto,
  SaverDef,
  AssetFileDef,
} = tensorflow;

export type ISavedModel = tensorflow.ISavedModel;
export type IMetaGraphDef = tensorflow.IMetaGraphDef;
export type IGraphDef = tensorflow.IGraphDef;
export type INodeDef = tensorflow.INodeDef;
export type IAttrValue = tensorflow.IAttrValue;
export type IFunctionDef = tensorflow.IFunctionDef;
export type IOpDef = tensorflow.IOpDef;
export type ITensorProto = tensorflow.ITensorProto;
export type ITensorShapeProto = tensorflow.ITensorShapeProto;
export type ISignatureDef = tensorflow.ISignatureDef;
export type ITensorInfo = tensorflow.ITensorInfo;
export type ISavedObjectGraph = tensorflow.ISavedObjectGraph;
export type ISavedObject = tensorflow.ISavedObject;
export type IStructuredValue = tensorflow.IStructuredValue;
export type IBundleEntryProto = tensorflow.IBundleEntryProto;
export type IBundleHeaderProto = tensorflow.IBundleHeaderProto;
export type IFingerprintDef = tensorflow.IFingerprintDef;
export type ICollectionDef = tensorflow.ICollectionDef;
export type DataTypeEnum = tensorflow.DataType;
/** A 64-bit protobuf field as decoded: number when it fits in 2^53, else bigint. */
export type Int64 = number | bigint;
