/**
 * Just enough of the WebAssembly binary format (core spec 1.0, §5) to emit the scoring kernel:
 * LEB128 integers, vectors, sections and a function-body builder with named locals. Emitting the
 * module from TypeScript keeps the build free of a wat2wasm step and of checked-in binaries.
 */

export const ValType = { i32: 0x7f, f64: 0x7c } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

export const Op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32GeS: 0x4e,
  f64Lt: 0x63,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f64Add: 0xa0,
} as const;

const EMPTY_BLOCK_TYPE = 0x40;

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: readonly number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

/** A function body under construction: i32 params and locals referred to by name. */
export class FunctionBody {
  readonly bytes: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: readonly string[]) {
    params.forEach((p, i) => this.index.set(p, i));
  }

  local(localName: string, type: ValType = ValType.i32): this {
    this.index.set(localName, this.params.length + this.localTypes.length);
    this.localTypes.push(type);
    return this;
  }

  private slot(localName: string): number[] {
    const i = this.index.get(localName);
    if (i === undefined) throw new Error(`wasm emitter: unknown local ${localName}`);
    return unsignedLeb(i);
  }

  get(localName: string): this {
    this.bytes.push(Op.localGet, ...this.slot(localName));
    return this;
  }
  set(localName: string): this {
    this.bytes.push(Op.localSet, ...this.slot(localName));
    return this;
  }
  tee(localName: string): this {
    this.bytes.push(Op.localTee, ...this.slot(localName));
    return this;
  }
  i32(value: number): this {
    this.bytes.push(Op.i32Const, ...signedLeb(value));
    return this;
  }
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  /** Memory access with a static byte offset; alignment hint is the natural one. */
  i32Load(offset = 0): this {
    this.bytes.push(Op.i32Load, 2, ...unsignedLeb(offset));
    return this;
  }
  f64Load(offset = 0): this {
    this.bytes.push(Op.f64Load, 3, ...unsignedLeb(offset));
    return this;
  }
  f64Store(offset = 0): this {
    this.bytes.push(Op.f64Store, 3, ...unsignedLeb(offset));
    return this;
  }
  /** `block { loop { body } }`: inside, `br 0` continues and `br 1` exits. */
  loop(body: (b: this) => void): this {
    this.bytes.push(Op.block, EMPTY_BLOCK_TYPE, Op.loop, EMPTY_BLOCK_TYPE);
    body(this);
    this.bytes.push(Op.end, Op.end);
    return this;
  }

  encode(): number[] {
    // Locals are declared as runs of equal type.
    const runs: number[][] = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]!++;
      else runs.push([1, type]);
    }
    const body = [...vector(runs.map(([n, t]) => [...unsignedLeb(n!), t!])), ...this.bytes, Op.end];
    return [...unsignedLeb(body.length), ...body];
  }
}

/**
 * A module importing one memory as env.memory and exporting the given functions, each taking
 * only i32 parameters and returning nothing.
 */
export function encodeModule(functions: readonly { exportName: string; body: FunctionBody }[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.body.params.map(() => [ValType.i32])), 0]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.exportName), 0x00, ...unsignedLeb(i)]))),
    ...section(10, vector(functions.map((f) => f.body.encode()))),
  ];
  return new Uint8Array(bytes);
}
