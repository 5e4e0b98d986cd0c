#!/usr/bin/env python3
"""scikit-learn's IsolationForest on ADBench .npz files, as the side-by-side reference for
Vigil's own forest (gate/iforest).

  parity  Fits IsolationForest(n_estimators=100, max_samples=256, random_state=seed) for each
          seed on every data set, scores the same rows, and writes the rows, labels and ROC-AUCs
          to one JSON file. test/integration/iforest-parity.test.ts trains Vigil's forest on
          exactly those rows and compares AUCs.
  bench   Fits one forest on one data set, times score_samples over all its rows (single thread,
          best of --repeats) and writes the rows and events/s to JSON, for bench/iforest-scoring.ts.

Rows travel as base64 of little-endian float64 (row-major), so both sides see bit-identical
values without a float-to-text round trip. Unsupervised setting, as in Liu et al. (2008): fit
and score on all rows of a set; labels are used only for the AUC.
"""
import argparse
import base64
import json
import os
import sys
import time

# Single-threaded numerics, so "events/s per core" means one core. Set before numpy loads.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score
except ImportError as err:  # the caller shows this message as the test failure
    sys.exit(f"adbench_sklearn.py: {err}. Install with: bash scripts/setup.sh sklearn")

N_ESTIMATORS = 100
MAX_SAMPLES = 256


def load(path):
    with np.load(path, allow_pickle=False) as npz:
        X = np.ascontiguousarray(npz["X"], dtype="<f8")
        y = np.asarray(npz["y"]).astype(np.uint8).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        sys.exit(f"adbench_sklearn.py: {path}: X {X.shape} and y {y.shape} do not match")
    return X, y


def encode_rows(X, y):
    return {
        "nRows": int(X.shape[0]),
        "nFeatures": int(X.shape[1]),
        "anomalies": int(y.sum()),
        "X": base64.b64encode(X.tobytes()).decode("ascii"),
        "y": base64.b64encode(y.tobytes()).decode("ascii"),
    }


def forest(seed):
    return IsolationForest(n_estimators=N_ESTIMATORS, max_samples=MAX_SAMPLES, random_state=seed)


def parity(args):
    seeds = [int(s) for s in args.seeds.split(",")]
    files = sorted(f for f in os.listdir(args.data_dir) if f.endswith(".npz"))
    if not files:
        sys.exit(f"adbench_sklearn.py: no .npz files in {args.data_dir}")
    datasets = []
    for name in files:
        X, y = load(os.path.join(args.data_dir, name))
        started = time.perf_counter()
        aucs = [float(roc_auc_score(y, -forest(seed).fit(X).score_samples(X))) for seed in seeds]
        datasets.append({
            "name": name,
            **encode_rows(X, y),
            "sklearn": {"seeds": seeds, "aucs": aucs, "meanAuc": sum(aucs) / len(aucs),
                        "seconds": time.perf_counter() - started},
        })
        print(f"{name}: sklearn mean AUC {datasets[-1]['sklearn']['meanAuc']:.4f}", file=sys.stderr)
    write(args.out, {"sklearnVersion": sklearn.__version__, "numpyVersion": np.__version__,
                     "nEstimators": N_ESTIMATORS, "maxSamples": MAX_SAMPLES, "datasets": datasets})


def bench(args):
    X, y = load(args.data)
    model = forest(0).fit(X)
    scores = model.score_samples(X)  # also the warm-up: the first call pays for imports and caches
    seconds = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        model.score_samples(X)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    write(args.out, {"sklearnVersion": sklearn.__version__, "name": os.path.basename(args.data),
                     **encode_rows(X, y), "seconds": seconds, "repeats": args.repeats,
                     "auc": float(roc_auc_score(y, -scores)) if 0 < y.sum() < len(y) else None})
    print(f"sklearn score_samples: {X.shape[0] / seconds[0]:,.0f} events/s (best of {args.repeats})", file=sys.stderr)


def write(path, document):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("parity")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seeds", default="0,1,2,3,4")
    b = sub.add_parser("bench")
    b.add_argument("--data", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    parity(args) if args.mode == "parity" else bench(args)


if __name__ == "__main__":
    main()
