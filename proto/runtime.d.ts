import * as $protobuf from "protobufjs/minimal";
export = $protobuf;
