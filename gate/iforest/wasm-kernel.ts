import { internalNodesPerTree, leavesPerTree } from './flat-forest';
import type { FlatForest } from './flat-forest';
import { encodeModule, FunctionBody, Op, ValType } from './wasm-encoding';

/**
 * The computation of js-kernel.ts, compiled to WebAssembly. It exists because V8 (Node 20)
 * keeps a bounds check, a sign extension and an overflow check around every typed-array access
 * in the JS kernel; wasm loads against guard pages carry none of that, and a descent step is
 * about nine machine instructions. Measured ≈ 2× the JS kernel (docs/PERFORMANCE.md).
 *
 * Memory layout (one WebAssembly.Memory per scorer, sized once, never grown):
 *   [node records][leaf path lengths][row block][accumulators]
 * A node record is 16 bytes: f64 split value at +0 and the i32 *byte* offset of its feature
 * within a row at +8, so one address serves both loads. Trees are consecutive, (2^D − 1)
 * records and 2^D leaves each; the tree count is padded to a multiple of 8 with all-zero trees
 * (their leaves add 0.0, which leaves a sum exactly unchanged).
 *
 * A lane tracks its node by absolute byte address A = nodeBase + 16·i. Children 2i+1 / 2i+2 sit
 * at 2A + 32 − nodeBase − 16 / 2A + 32 − nodeBase, and `select` on `x < split` picks one, which
 * V8 compiles to cmov: no branch to mispredict. After D levels the leaf is at
 * A/2 + (leafBase − nodeBase/2 − 8·internal).
 *
 * Two exported functions, both adding path lengths in tree order (so their sums are identical):
 * - accumulateRows(xPtr, count, accPtr): eight rows descend each tree together; a single descent
 *   is a chain of dependent loads, and eight independent chains let the CPU overlap them.
 *   `count` must be a multiple of 8; callers pad the block (cheaper than a one-row tail loop).
 * - accumulateRow(xPtr, accPtr): one row descends eight trees together, for single-row calls.
 * Forest shape and row width are compiled in (a module per shape, compiled in milliseconds),
 * so lanes reach their rows and trees through static offsets instead of live registers.
 */
export const LANES = 8;
export const NODE_RECORD_BYTES = 16;

interface KernelShape {
  readonly nTrees: number;
  readonly depth: number;
  readonly rowBytes: number;
}

function paddedTrees(nTrees: number): number {
  return Math.ceil(nTrees / LANES) * LANES;
}

/** acc[row] += path length of each row in each tree, eight rows at a time. */
function accumulateRowsBody(shape: KernelShape, nodePtr: number, leafPtr: number): FunctionBody {
  const internal = internalNodesPerTree(shape.depth);
  const treeBytes = internal * NODE_RECORD_BYTES;
  const lanes = Array.from({ length: LANES }, (_, j) => `node${j}`);
  const b = new FunctionBody(['xPtr', 'count', 'accPtr']);
  for (const local of ['tree', 'row', 'level', 'nodeBase', 'childBase', 'leafShift', 'next', 'rowAt', 'accAt', ...lanes]) b.local(local);

  b.i32(0).set('tree').i32(nodePtr).set('nodeBase');
  b.i32(leafPtr - nodePtr / 2 - 8 * internal).set('leafShift');
  b.loop((trees) => {
    trees.get('tree').i32(shape.nTrees).op(Op.i32GeS, Op.brIf, 1);
    trees.i32(32).get('nodeBase').op(Op.i32Sub).set('childBase');
    trees.i32(0).set('row');
    trees.loop((rows) => {
      rows.get('row').get('count').op(Op.i32GeS, Op.brIf, 1);
      // Lane j's row starts at rowAt + j·rowBytes: a static offset on its load.
      rows.get('row').i32(shape.rowBytes).op(Op.i32Mul).get('xPtr').op(Op.i32Add).set('rowAt');
      for (const node of lanes) rows.get('nodeBase').set(node);
      rows.i32(shape.depth).set('level');
      rows.loop((levels) => {
        lanes.forEach((node, j) => {
          levels.get(node).i32(1).op(Op.i32Shl).get('childBase').op(Op.i32Add).tee('next');
          levels.i32(16).op(Op.i32Sub); // left child, taken when x < split
          levels.get('next'); // right child
          levels.get('rowAt').get(node).i32Load(8).op(Op.i32Add).f64Load(j * shape.rowBytes); // x[feature]
          levels.get(node).f64Load(0); // split value
          levels.op(Op.f64Lt, Op.select).set(node);
        });
        levels.get('level').i32(1).op(Op.i32Sub).tee('level').op(Op.brIf, 0);
      });
      lanes.forEach((node, j) => {
        rows.get('row').i32(j).op(Op.i32Add).i32(3).op(Op.i32Shl).get('accPtr').op(Op.i32Add).tee('accAt');
        rows.get('accAt').f64Load(0);
        rows.get(node).i32(1).op(Op.i32ShrU).get('leafShift').op(Op.i32Add).f64Load(0);
        rows.op(Op.f64Add).f64Store(0);
      });
      rows.get('row').i32(LANES).op(Op.i32Add).set('row').op(Op.br, 0);
    });
    // Next tree: nodes move by treeBytes, leaves by 8·2^D, so leafShift moves by 8·2^D − treeBytes/2 = 8.
    trees.get('tree').i32(1).op(Op.i32Add).set('tree');
    trees.get('nodeBase').i32(treeBytes).op(Op.i32Add).set('nodeBase');
    trees.get('leafShift').i32(8).op(Op.i32Add).set('leafShift');
    trees.op(Op.br, 0);
  });
  return b;
}

/** acc[0] = path length of one row summed over all trees, eight trees at a time. */
function accumulateRowBody(shape: KernelShape, nodePtr: number, leafPtr: number): FunctionBody {
  const internal = internalNodesPerTree(shape.depth);
  const treeBytes = internal * NODE_RECORD_BYTES;
  const lanes = Array.from({ length: LANES }, (_, j) => `node${j}`);
  const b = new FunctionBody(['xPtr', 'accPtr']);
  for (const local of ['group', 'level', 'nodeBase', 'childBase', 'leafShift', 'next', ...lanes]) b.local(local);
  b.local('sum', ValType.f64);

  b.i32(0).set('group').i32(nodePtr).set('nodeBase');
  b.i32(leafPtr - nodePtr / 2 - 8 * internal).set('leafShift');
  b.loop((groups) => {
    groups.get('group').i32(paddedTrees(shape.nTrees) / LANES).op(Op.i32GeS, Op.brIf, 1);
    groups.i32(32).get('nodeBase').op(Op.i32Sub).set('childBase');
    lanes.forEach((node, j) => groups.get('nodeBase').i32(j * treeBytes).op(Op.i32Add).set(node));
    groups.i32(shape.depth).set('level');
    groups.loop((levels) => {
      lanes.forEach((node, j) => {
        // Tree j's children: 2A + 32 − (nodeBase + j·treeBytes) (− 16 for the left one).
        levels.get(node).i32(1).op(Op.i32Shl).get('childBase').op(Op.i32Add).i32(-j * treeBytes).op(Op.i32Add).tee('next');
        levels.i32(16).op(Op.i32Sub);
        levels.get('next');
        levels.get('xPtr').get(node).i32Load(8).op(Op.i32Add).f64Load(0);
        levels.get(node).f64Load(0);
        levels.op(Op.f64Lt, Op.select).set(node);
      });
      levels.get('level').i32(1).op(Op.i32Sub).tee('level').op(Op.brIf, 0);
    });
    lanes.forEach((node, j) => {
      // Tree j's leafShift is 8·j above tree 0's (see accumulateRowsBody). Added in tree order.
      groups.get('sum').get(node).i32(1).op(Op.i32ShrU).get('leafShift').op(Op.i32Add).f64Load(8 * j).op(Op.f64Add).set('sum');
    });
    groups.get('group').i32(1).op(Op.i32Add).set('group');
    groups.get('nodeBase').i32(LANES * treeBytes).op(Op.i32Add).set('nodeBase');
    groups.get('leafShift').i32(LANES * 8).op(Op.i32Add).set('leafShift');
    groups.op(Op.br, 0);
  });
  b.get('accPtr').get('sum').f64Store(0);
  return b;
}

type Kernel = (...args: number[]) => void;

/**
 * The slice of the WebAssembly JS API we use. The project compiles against lib ES2022 without
 * DOM, which is where TypeScript keeps these types; declaring them locally (rather than as a
 * global) cannot clash if a DOM lib is ever added, and lets us see that the global is missing.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

function wasmApi(): WasmApi {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error('WebAssembly is not available in this runtime');
  return api;
}

/** False under `node --jitless` and other hosts without WebAssembly. */
export function wasmAvailable(): boolean {
  try {
    compileKernels({ nTrees: 1, depth: 1, rowBytes: 8 }, 0, 16);
    return true;
  } catch {
    return false;
  }
}

/** Compiled modules by shape. Bounded, since a long-running gate may load many models over time. */
const compiled = new Map<string, object>();
const MAX_COMPILED = 16;

function compileKernels(shape: KernelShape, nodePtr: number, leafPtr: number): object {
  const key = `${shape.nTrees}/${shape.depth}/${shape.rowBytes}/${nodePtr}/${leafPtr}`;
  let module = compiled.get(key);
  if (module === undefined) {
    module = new (wasmApi().Module)(
      encodeModule([
        { exportName: 'accumulateRows', body: accumulateRowsBody(shape, nodePtr, leafPtr) },
        { exportName: 'accumulateRow', body: accumulateRowBody(shape, nodePtr, leafPtr) },
      ]),
    );
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, module);
  }
  return module;
}

const PAGE_BYTES = 65536;

/**
 * One forest copied into its own wasm memory, plus a row block and accumulators for
 * `blockRows` rows (rounded up to a multiple of 8). Callers fill `rowBlock`, call
 * `accumulate(count)`, then read `acc`.
 */
export class WasmForest {
  readonly rowBlock: Float64Array;
  readonly acc: Float64Array;
  private readonly rowsKernel: Kernel;
  private readonly rowKernel: Kernel;
  private readonly xPtr: number;
  private readonly accPtr: number;

  constructor(forest: FlatForest, blockRows: number) {
    const paddedRows = Math.ceil(blockRows / LANES) * LANES;
    const shape: KernelShape = { nTrees: forest.nTrees, depth: forest.depth, rowBytes: forest.nFeatures * 8 };
    const internal = internalNodesPerTree(forest.depth);
    const trees = paddedTrees(forest.nTrees);
    const leafPtr = trees * internal * NODE_RECORD_BYTES;
    this.xPtr = leafPtr + trees * leavesPerTree(forest.depth) * 8;
    this.accPtr = this.xPtr + paddedRows * shape.rowBytes;
    const api = wasmApi();
    const memory = new api.Memory({ initial: Math.ceil((this.accPtr + paddedRows * 8) / PAGE_BYTES) });
    const instance = new api.Instance(compileKernels(shape, 0, leafPtr), { env: { memory } });
    this.rowsKernel = instance.exports['accumulateRows'] as Kernel;
    this.rowKernel = instance.exports['accumulateRow'] as Kernel;

    const view = new DataView(memory.buffer);
    for (let k = 0; k < forest.nTrees * internal; k++) {
      view.setFloat64(k * NODE_RECORD_BYTES, forest.splitValues[k]!, true);
      view.setInt32(k * NODE_RECORD_BYTES + 8, forest.splitFeatures[k]! * 8, true);
    }
    new Float64Array(memory.buffer, leafPtr, forest.leafPathLengths.length).set(forest.leafPathLengths);
    this.rowBlock = new Float64Array(memory.buffer, this.xPtr, paddedRows * forest.nFeatures);
    this.acc = new Float64Array(memory.buffer, this.accPtr, paddedRows);
  }

  /**
   * Sets acc[0..count) to the summed path lengths of rowBlock's first `count` rows. Rows past
   * `count` up to the next multiple of 8 are scored too and ignored: whatever they hold (zeros
   * or an earlier block's rows) is a valid number.
   */
  accumulate(count: number): void {
    if (count === 1) {
      this.rowKernel(this.xPtr, this.accPtr);
      return;
    }
    const padded = Math.ceil(count / LANES) * LANES;
    this.acc.fill(0, 0, padded);
    this.rowsKernel(this.xPtr, padded, this.accPtr);
  }
}
