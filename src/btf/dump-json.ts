/**
 * `btfkit btf dump --format json`: a documented, stable JSON form of BTF (docs/btf-json.md).
 *
 * One document, one type object per line:
 *
 * ```json
 * {"btf":{"version":1,"endianness":"little","start_id":1,"types":[
 * {"id":1,"kind":"int","name":"long unsigned int","size":8,"bits_offset":0,"nr_bits":64,"encoding":"none"},
 * {"id":2,"kind":"ptr","name":"","type_id":0}
 * ]}}
 * ```
 *
 * The types come from the decoded model ({@link Btf.type}), so the JSON says exactly what the
 * model says. Field names are bpftool's `-j` names where bpftool has them (`type_id`,
 * `bits_offset`, `nr_bits`, `members`, `vlen`, `values`, `val`, ...). Unlike bpftool, kinds are
 * lower case, anonymous names are `""`, the fields of a kind are always present (`bitfield_size`
 * too, 0 for a plain member; only INT's `encoding_bits` is there just when needed), and ENUM64
 * values beyond 2^53 are decimal strings.
 *
 * @packageDocumentation
 */
import type { Btf } from './btf.js';
import { assertNever, type BtfType, type FuncLinkage, type VarLinkage } from './types.js';
import { ByteWriter, asciiBytes, type ByteSink } from './out.js';

export type { ByteSink } from './out.js';

/** Version of the JSON layout described in docs/btf-json.md. */
export const BTF_JSON_VERSION = 1;

const HEX = '0123456789abcdef';

/**
 * Write `btf` (its own types; for split BTF the base's are not repeated) as one JSON document.
 *
 * @param out receives UTF-8 text in chunks of about 64 KiB; a chunk is only valid during the call.
 * @throws {BtfParseError} when a type cannot be decoded (bad string offset, bad type id).
 */
export function dumpJson(btf: Btf, out: ByteSink): void {
  const w = new ByteWriter(out);
  w.ascii(`{"btf":{"version":${BTF_JSON_VERSION},"endianness":"${btf.littleEndian ? 'little' : 'big'}","start_id":`);
  w.u32(btf.startId);
  w.ascii(',"types":[');
  for (let id = btf.startId; id <= btf.lastId; id++) {
    w.bytes(id === btf.startId ? NL : COMMA_NL);
    writeType(w, btf.type(id));
  }
  w.ascii('\n]}}\n');
  w.flush();
}

const NL = asciiBytes('\n');
const COMMA_NL = asciiBytes(',\n');

/** One type object. */
function writeType(w: ByteWriter, t: BtfType): void {
  w.ascii('{"id":');
  w.u32(t.id);
  w.ascii(',"kind":"');
  w.ascii(t.kind);
  w.ascii('","name":');
  jsonString(w, t.name);
  switch (t.kind) {
    case 'void':
      break;
    case 'int':
      field(w, 'size', t.size);
      field(w, 'bits_offset', t.bitOffset);
      field(w, 'nr_bits', t.bits);
      w.ascii(',"encoding":"');
      w.ascii(intEncoding(t.encodingBits));
      w.byte(0x22);
      if (intEncoding(t.encodingBits) === 'mixed') field(w, 'encoding_bits', t.encodingBits);
      break;
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
      field(w, 'type_id', t.type);
      break;
    case 'type_tag':
      field(w, 'type_id', t.type);
      boolField(w, 'kind_flag', t.attribute);
      break;
    case 'array':
      field(w, 'type_id', t.type);
      field(w, 'index_type_id', t.indexType);
      field(w, 'nr_elems', t.nelems);
      break;
    case 'struct':
    case 'union':
      field(w, 'size', t.size);
      field(w, 'vlen', t.members.length);
      boolField(w, 'kind_flag', t.kindFlag);
      w.ascii(',"members":[');
      t.members.forEach((m, i) => {
        w.ascii(i === 0 ? '{"name":' : ',{"name":');
        jsonString(w, m.name);
        field(w, 'type_id', m.type);
        field(w, 'bits_offset', m.bitOffset);
        field(w, 'bitfield_size', m.bitfieldSize);
        w.byte(0x7d);
      });
      w.byte(0x5d);
      break;
    case 'enum':
      w.ascii(t.signed ? ',"encoding":"signed"' : ',"encoding":"unsigned"');
      field(w, 'size', t.size);
      field(w, 'vlen', t.values.length);
      w.ascii(',"values":[');
      t.values.forEach((v, i) => {
        w.ascii(i === 0 ? '{"name":' : ',{"name":');
        jsonString(w, v.name);
        w.ascii(',"val":');
        w.number(v.value);
        w.byte(0x7d);
      });
      w.byte(0x5d);
      break;
    case 'enum64':
      w.ascii(t.signed ? ',"encoding":"signed"' : ',"encoding":"unsigned"');
      field(w, 'size', t.size);
      field(w, 'vlen', t.values.length);
      w.ascii(',"values":[');
      t.values.forEach((v, i) => {
        w.ascii(i === 0 ? '{"name":' : ',{"name":');
        jsonString(w, v.name);
        w.ascii(',"val":');
        // Numbers only while exact in a double; larger magnitudes as decimal strings.
        const n = Number(v.value);
        if (Number.isSafeInteger(n)) w.number(n);
        else {
          w.byte(0x22);
          w.bigint(v.value);
          w.byte(0x22);
        }
        w.byte(0x7d);
      });
      w.byte(0x5d);
      break;
    case 'fwd':
      w.ascii(t.fwdKind === 'union' ? ',"fwd_kind":"union"' : ',"fwd_kind":"struct"');
      break;
    case 'func':
      field(w, 'type_id', t.type);
      linkageField(w, t.linkage);
      break;
    case 'func_proto':
      field(w, 'ret_type_id', t.returnType);
      field(w, 'vlen', t.params.length);
      w.ascii(',"params":[');
      t.params.forEach((p, i) => {
        w.ascii(i === 0 ? '{"name":' : ',{"name":');
        jsonString(w, p.name);
        field(w, 'type_id', p.type);
        w.byte(0x7d);
      });
      w.byte(0x5d);
      break;
    case 'var':
      field(w, 'type_id', t.type);
      linkageField(w, t.linkage);
      break;
    case 'datasec':
      field(w, 'size', t.size);
      field(w, 'vlen', t.vars.length);
      w.ascii(',"vars":[');
      t.vars.forEach((v, i) => {
        w.ascii(i === 0 ? '{"type_id":' : ',{"type_id":');
        w.u32(v.type);
        field(w, 'offset', v.offset);
        field(w, 'size', v.size);
        w.byte(0x7d);
      });
      w.byte(0x5d);
      break;
    case 'float':
      field(w, 'size', t.size);
      break;
    case 'decl_tag':
      field(w, 'type_id', t.type);
      w.ascii(',"component_idx":');
      w.s32(t.componentIdx);
      boolField(w, 'kind_flag', t.attribute);
      break;
    case 'unknown': {
      field(w, 'kind_number', t.kindNumber);
      field(w, 'vlen', t.vlen);
      boolField(w, 'kind_flag', t.kindFlag);
      field(w, 'size_or_type', t.sizeOrType);
      w.ascii(',"data":"');
      for (const b of t.data) {
        w.byte(HEX.charCodeAt(b >>> 4));
        w.byte(HEX.charCodeAt(b & 15));
      }
      w.byte(0x22);
      break;
    }
    default:
      assertNever(t, 'BTF kind');
  }
  w.byte(0x7d);
}

/** `,"key":N` for a u32. */
function field(w: ByteWriter, key: string, n: number): void {
  w.ascii(',"');
  w.ascii(key);
  w.ascii('":');
  w.u32(n);
}

function boolField(w: ByteWriter, key: string, b: boolean): void {
  w.ascii(',"');
  w.ascii(key);
  w.ascii(b ? '":true' : '":false');
}

/** `,"linkage":"static"`, or the number when the linkage is not one of the three known. */
function linkageField(w: ByteWriter, l: FuncLinkage | VarLinkage): void {
  w.ascii(',"linkage":');
  if (typeof l === 'number') w.u32(l);
  else {
    w.byte(0x22);
    w.ascii(l);
    w.byte(0x22);
  }
}

/** The INT encoding name of the raw encoding bits (`mixed` for anything but 0 or one bit). */
function intEncoding(bits: number): 'none' | 'signed' | 'char' | 'bool' | 'mixed' {
  switch (bits) {
    case 0: return 'none';
    case 1: return 'signed';
    case 2: return 'char';
    case 4: return 'bool';
    default: return 'mixed';
  }
}

/**
 * A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`, the rest
 * as UTF-8.
 */
function jsonString(w: ByteWriter, s: string): void {
  w.byte(0x22);
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    if (i > start) w.utf8(s.slice(start, i));
    start = i + 1;
    switch (c) {
      case 0x22: w.ascii('\\"'); break;
      case 0x5c: w.ascii('\\\\'); break;
      case 0x0a: w.ascii('\\n'); break;
      case 0x0d: w.ascii('\\r'); break;
      case 0x09: w.ascii('\\t'); break;
      case 0x08: w.ascii('\\b'); break;
      case 0x0c: w.ascii('\\f'); break;
      default: w.ascii(`\\u00${HEX[c >>> 4]!}${HEX[c & 15]!}`);
    }
  }
  if (start === 0) w.utf8(s);
  else if (start < s.length) w.utf8(s.slice(start));
  w.byte(0x22);
}
