import { internalNodesPerTree, leavesPerTree } from './flat-forest';
import type { FlatForest } from './flat-forest';
import { encodeModule, FunctionBody, Op } from './wasm-encoding';

/**
 * The same computation as js-kernel.ts, compiled to WebAssembly. It exists because V8 (Node 20)
 * keeps a bounds check, an index sign-extension and an overflow check around every typed-array
 * access in the JS kernel; wasm loads against guard pages carry none of that, and the descent
 * step becomes ~8 machine instructions. Measured ≈ 1.8× the JS kernel (docs/PERFORMANCE.md).
 *
 * Memory layout (one WebAssembly.Memory per scorer, sized once, never grown):
 *   [node records][leaf path lengths][row block][accumulators]
 * A node record is 16 bytes: f64 split value at +0, i32 feature *byte* offset within a row at +8,
 * so one address serves both loads. Trees are consecutive, (2^D − 1) records each.
 *
 * Exported: accumulate8(nTrees, depth, rowBytes, xPtr, count, accPtr, nodePtr, leafPtr) for a
 * count that is a multiple of 8 (eight rows descend together, see js-kernel.ts), and
 * accumulate1(...) with the same signature for the remainder and single-row scoring.
 * Both add each row's path length in every tree to the f64 accumulator of that row.
 */
const PARAMS = ['nTrees', 'depth', 'rowBytes', 'xPtr', 'count', 'accPtr', 'nodePtr', 'leafPtr'] as const;

export const NODE_RECORD_BYTES = 16;

/**
 * Per lane j, the node is tracked by its absolute byte address A_j = nodeBase + 16·i. The child
 * of node i is 2i+1 (left) or 2i+2 (right), whose addresses are 2·A_j + (32 − nodeBase) − 16 and
 * 2·A_j + (32 − nodeBase): `select` on `x < split` picks one, which compiles to a cmov.
 * At the bottom, the leaf's address is A_j/2 + (leafBase − nodeBase/2 − 8·internal).
 */
function accumulateBody(lanes: number): FunctionBody {
  const b = new FunctionBody(PARAMS);
  const lane = (prefix: string): string[] => Array.from({ length: lanes }, (_, j) => `${prefix}${j}`);
  for (const local of ['tree', 'row', 'level', 'nodeBase', 'leafBase', 'internal', 'childBase', 'leafShift', 'next', 'accAt']) b.local(local);
  for (const local of [...lane('rowAt'), ...lane('node')]) b.local(local);

  // internal = (1 << depth) − 1
  b.i32(1).get('depth').op(Op.i32Shl).i32(1).op(Op.i32Sub).set('internal');
  b.i32(0).set('tree').get('nodePtr').set('nodeBase').get('leafPtr').set('leafBase');
  b.loop((trees) => {
    trees.get('tree').get('nTrees').op(Op.i32GeS, Op.brIf, 1);
    // childBase = 32 − nodeBase; leafShift = leafBase − nodeBase/2 − 8·internal
    trees.i32(32).get('nodeBase').op(Op.i32Sub).set('childBase');
    trees.get('leafBase').get('nodeBase').i32(1).op(Op.i32ShrU, Op.i32Sub);
    trees.get('internal').i32(3).op(Op.i32Shl, Op.i32Sub).set('leafShift');
    trees.i32(0).set('row');
    trees.loop((rows) => {
      rows.get('row').get('count').op(Op.i32GeS, Op.brIf, 1);
      for (let j = 0; j < lanes; j++) {
        // rowAt_j = xPtr + (row + j)·rowBytes; node_j = root of this tree
        rows.get('row').i32(j).op(Op.i32Add).get('rowBytes').op(Op.i32Mul).get('xPtr').op(Op.i32Add).set(`rowAt${j}`);
        rows.get('nodeBase').set(`node${j}`);
      }
      rows.get('depth').set('level');
      rows.loop((levels) => {
        for (let j = 0; j < lanes; j++) {
          const node = `node${j}`;
          levels.get(node).i32(1).op(Op.i32Shl).get('childBase').op(Op.i32Add).tee('next');
          levels.i32(16).op(Op.i32Sub); // left child
          levels.get('next'); // right child
          levels.get(`rowAt${j}`).get(node).i32Load(8).op(Op.i32Add).f64Load(0); // x[feature]
          levels.get(node).f64Load(0); // split value
          levels.op(Op.f64Lt, Op.select).set(node);
        }
        levels.get('level').i32(1).op(Op.i32Sub).tee('level').op(Op.brIf, 0);
      });
      for (let j = 0; j < lanes; j++) {
        // acc[row + j] += leaf
        rows.get('row').i32(j).op(Op.i32Add).i32(3).op(Op.i32Shl).get('accPtr').op(Op.i32Add).tee('accAt');
        rows.get('accAt').f64Load(0);
        rows.get(`node${j}`).i32(1).op(Op.i32ShrU).get('leafShift').op(Op.i32Add).f64Load(0);
        rows.op(Op.f64Add).f64Store(0);
      }
      rows.get('row').i32(lanes).op(Op.i32Add).set('row').op(Op.br, 0);
    });
    trees.get('tree').i32(1).op(Op.i32Add).set('tree');
    trees.get('nodeBase').get('internal').i32(4).op(Op.i32Shl, Op.i32Add).set('nodeBase');
    trees.get('leafBase').get('internal').i32(1).op(Op.i32Add).i32(3).op(Op.i32Shl, Op.i32Add).set('leafBase');
    trees.op(Op.br, 0);
  });
  return b;
}

type AccumulateFn = (...args: number[]) => void;

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule([
      { exportName: 'accumulate8', body: accumulateBody(8) },
      { exportName: 'accumulate1', body: accumulateBody(1) },
    ]),
  );
  return compiled;
}

/** False under `node --jitless` and other hosts without WebAssembly. */
export function wasmAvailable(): boolean {
  try {
    kernelModule();
    return true;
  } catch {
    return false;
  }
}

const PAGE_BYTES = 65536;

/**
 * One forest copied into its own wasm memory, plus a row block and accumulators of
 * `blockRows` rows. Callers fill `rowBlock`, then call `accumulate(count)`, then read `acc`.
 */
export class WasmForest {
  readonly rowBlock: Float64Array;
  readonly acc: Float64Array;
  private readonly accumulate8: AccumulateFn;
  private readonly accumulate1: AccumulateFn;
  private readonly xPtr: number;
  private readonly accPtr: number;
  private readonly leafPtr: number;
  private readonly rowBytes: number;

  constructor(
    private readonly forest: FlatForest,
    readonly blockRows: number,
  ) {
    const internal = internalNodesPerTree(forest.depth);
    const nodeBytes = forest.nTrees * internal * NODE_RECORD_BYTES;
    const leafBytes = forest.nTrees * leavesPerTree(forest.depth) * 8;
    this.rowBytes = forest.nFeatures * 8;
    this.leafPtr = nodeBytes;
    this.xPtr = nodeBytes + leafBytes;
    this.accPtr = this.xPtr + blockRows * this.rowBytes;
    const totalBytes = this.accPtr + blockRows * 8;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(totalBytes / PAGE_BYTES) });
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory } });
    this.accumulate8 = instance.exports['accumulate8'] as AccumulateFn;
    this.accumulate1 = instance.exports['accumulate1'] as AccumulateFn;

    const view = new DataView(memory.buffer);
    for (let k = 0; k < forest.nTrees * internal; k++) {
      view.setFloat64(k * NODE_RECORD_BYTES, forest.splitValues[k]!, true);
      view.setInt32(k * NODE_RECORD_BYTES + 8, forest.splitFeatures[k]! * 8, true);
    }
    new Float64Array(memory.buffer, this.leafPtr, forest.leafPathLengths.length).set(forest.leafPathLengths);
    this.rowBlock = new Float64Array(memory.buffer, this.xPtr, blockRows * forest.nFeatures);
    this.acc = new Float64Array(memory.buffer, this.accPtr, blockRows);
  }

  /** Sets acc[0..count) to the summed path lengths of rowBlock's first `count` rows. */
  accumulate(count: number): void {
    const { nTrees, depth } = this.forest;
    this.acc.fill(0, 0, count);
    const grouped = count - (count % 8);
    if (grouped > 0) this.accumulate8(nTrees, depth, this.rowBytes, this.xPtr, grouped, this.accPtr, 0, this.leafPtr);
    if (grouped < count) {
      this.accumulate1(
        nTrees,
        depth,
        this.rowBytes,
        this.xPtr + grouped * this.rowBytes,
        count - grouped,
        this.accPtr + grouped * 8,
        0,
        this.leafPtr,
      );
    }
  }
}
