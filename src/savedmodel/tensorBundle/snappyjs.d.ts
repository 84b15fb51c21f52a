// Type declarations for the `snappyjs` package (it ships none).
declare module "snappyjs" {
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
