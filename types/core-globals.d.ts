// The few web-platform globals the pure core uses. They exist in every JS runtime we target
// (browsers, Node, Deno, Bun) but are not in lib ES2022; the Node build gets them from @types/node.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
