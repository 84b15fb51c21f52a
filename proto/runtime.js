// protobufjs runtime for the generated code in proto/generated/.
//
// 64-bit integers: protobufjs would allocate a Long object per int64 value. We switch Long
// off and read every 64-bit field as a plain number when it fits in 2^53, and as a bigint
// only when it does not (hashes, int64 sentinels). Writers accept number or bigint, so
// decode -> encode reproduces the same bytes.
"use strict";
const $protobuf = require("protobufjs/minimal");

const util = $protobuf.util;
util.Long = null;
$protobuf.configure();

const Reader = $protobuf.Reader;
const LongBits = util.LongBits;
const TWO32 = 4294967296;

function outOfRange(reader, n) {
  return RangeError("index out of range: " + reader.pos + " + " + (n || 1) + " > " + reader.len);
}

/** Reads a varint of up to 10 bytes; number when the value is below 2^49 (7 bytes), else bigint (unsigned). */
function readVarint64Raw(reader) {
  const buf = reader.buf;
  let pos = reader.pos;
  const start = pos;
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= reader.len) throw outOfRange(reader);
    const b = buf[pos++];
    result += (b & 127) * mul;
    if (b < 128) {
      reader.pos = pos;
      return result;
    }
    mul *= 128;
  }
  // long form: redo with bigint arithmetic
  pos = start;
  let big = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= reader.len) throw outOfRange(reader);
    const b = buf[pos++];
    big |= BigInt(b & 127) << shift;
    if (b < 128) {
      reader.pos = pos;
      return BigInt.asUintN(64, big);
    }
    shift += 7n;
  }
  throw Error("invalid varint encoding at offset " + start);
}

function narrow(big) {
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

function readFixed64Raw(reader) {
  if (reader.pos + 8 > reader.len) throw outOfRange(reader, 8);
  const buf = reader.buf;
  const p = reader.pos;
  const lo = (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0;
  const hi = (buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24)) >>> 0;
  reader.pos = p + 8;
  return { lo, hi };
}

Object.assign(Reader.prototype, {
  int64() {
    const v = readVarint64Raw(this);
    return typeof v === "number" ? v : narrow(BigInt.asIntN(64, v));
  },
  uint64() {
    const v = readVarint64Raw(this);
    return typeof v === "number" ? v : narrow(v);
  },
  sint64() {
    const v = readVarint64Raw(this);
    if (typeof v === "number") return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    return narrow((v >> 1n) ^ -(v & 1n));
  },
  fixed64() {
    const { lo, hi } = readFixed64Raw(this);
    if (hi < 0x200000) return hi * TWO32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  },
  sfixed64() {
    const { lo, hi } = readFixed64Raw(this);
    if (hi < 0x200000) return hi * TWO32 + lo;
    if (hi >= 0xffe00000 && (hi !== 0xffe00000 || lo !== 0)) return (hi - TWO32) * TWO32 + lo;
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  },
});

const fromOriginal = LongBits.from;
LongBits.from = function from(value) {
  if (typeof value === "bigint") {
    const u = BigInt.asUintN(64, value);
    return new LongBits(Number(u & 0xffffffffn) >>> 0, Number(u >> 32n) >>> 0);
  }
  return fromOriginal(value);
};

module.exports = $protobuf;
