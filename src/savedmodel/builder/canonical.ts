/**
 * Canonical proto3 form of built messages: singular scalars without presence that hold their default (0, false,
 * "", empty bytes) are left out, as TensorFlow's C++ serializer leaves them out. Without this an explicitly set
 * `size: 0` or `trainable: false` would be encoded, and the binary would differ from a text-format round trip.
 * Copy-on-write: objects that are already canonical are returned as they are (never mutated).
 */
import { messageInfo, type MessageInfo } from "../textFormat/schema.js";

function isDefault(v: unknown): boolean {
  if (v === 0 || v === false || v === "" || v === 0n) return true;
  return v instanceof Uint8Array && v.length === 0;
}

function cleanMessage(obj: Record<string, unknown>, info: MessageInfo): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const set = (prop: string, value: unknown, remove = false) => {
    out ??= { ...obj };
    if (remove) delete out[prop];
    else out[prop] = value;
  };
  for (const f of info.fieldList) {
    if (!Object.prototype.hasOwnProperty.call(obj, f.prop)) continue;
    const v = obj[f.prop];
    if (v === null || v === undefined) continue;
    if (f.implicitPresence) {
      if (isDefault(v)) set(f.prop, undefined, true);
      continue;
    }
    const m = f.message;
    if (!m || m.isAny) continue;
    if (f.entry) {
      let copy: Record<string, unknown> | undefined;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (!x || typeof x !== "object") continue;
        const c = cleanMessage(x as Record<string, unknown>, m);
        if (c !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = c;
      }
      if (copy) set(f.prop, copy);
    } else if (f.repeated) {
      const arr = v as Record<string, unknown>[];
      let copy: Record<string, unknown>[] | undefined;
      for (let i = 0; i < arr.length; i++) {
        const c = cleanMessage(arr[i], m);
        if (c !== arr[i]) (copy ??= arr.slice())[i] = c;
      }
      if (copy) set(f.prop, copy);
    } else {
      const c = cleanMessage(v as Record<string, unknown>, m);
      if (c !== v) set(f.prop, c);
    }
  }
  return out ?? obj;
}

/** `message` (a plain object or generated message of type `typeName`) without default-valued implicit scalars. */
export function canonical<T extends object>(message: T, typeName: string): T {
  const info = messageInfo(typeName);
  if (!info) throw new Error(`unknown message type ${typeName}`);
  return cleanMessage(message as Record<string, unknown>, info) as T;
}
