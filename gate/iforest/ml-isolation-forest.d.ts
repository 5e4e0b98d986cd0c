// The package ships no types. These describe what we use of version 0.1.0 (read from its
// src/IsolationForest.js and src/TreeNode.js); conversion code treats nodes defensively anyway.
declare module 'ml-isolation-forest' {
  /** Internal nodes have left, right, splitColumn, splitValue; leaves keep the rows that reached them. */
  export interface MlTreeNode {
    left?: MlTreeNode;
    right?: MlTreeNode;
    splitColumn?: number;
    splitValue?: number;
    trainingSet?: unknown[];
  }

  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    nEstimators: number;
    forest: MlTreeNode[];
    trainingSet: number[][];
    /** Grows every tree on all of `trainingSet`, splitting while depth ≤ ceil(log2 n). */
    train(trainingSet: number[][]): void;
    /** s(x) per row, with its own c(n) (see path-length.ts). */
    predict(data: number[][]): number[];
  }
}
