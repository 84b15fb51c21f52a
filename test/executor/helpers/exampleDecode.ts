/** tf.Example decoding for tests (the executor's kernel decoder, minus tfjs). */
import $protobuf from "../../../proto/runtime.js";

type Feature =
  { kind: "bytes"; values: string[] } | { kind: "float"; values: number[] } | { kind: "int64"; values: number[] };

export function decodeExample(bytes: Uint8Array): Map<string, Feature> {
  const out = new Map<string, Feature>();
  const r = $protobuf.Reader.create(bytes);
  const fields = (end: number, f: (tag: number) => void) => {
    while (r.pos < end) f(r.uint32());
  };
  fields(r.len, (t1) => {
    const fEnd = r.uint32() + r.pos;
    if (t1 >>> 3 !== 1) return void (r.pos = fEnd);
    fields(fEnd, () => {
      const eEnd = r.uint32() + r.pos;
      let key = "";
      fields(eEnd, (t3) => {
        if (t3 >>> 3 === 1) key = r.string();
        else {
          const ftEnd = r.uint32() + r.pos;
          fields(ftEnd, (t4) => {
            const kind = (["", "bytes", "float", "int64"] as const)[t4 >>> 3] as Feature["kind"];
            const lEnd = r.uint32() + r.pos;
            const values: (number | string)[] = [];
            fields(lEnd, (t5) => {
              if (kind === "bytes") values.push(new TextDecoder().decode(r.bytes()));
              else if ((t5 & 7) === 2) {
                const e = r.uint32() + r.pos;
                while (r.pos < e) values.push(kind === "float" ? r.float() : Number(r.int64()));
              } else values.push(kind === "float" ? r.float() : Number(r.int64()));
            });
            out.set(key, { kind, values } as Feature);
          });
        }
      });
    });
  });
  return out;
}
