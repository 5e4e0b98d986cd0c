import { parentPort, workerData } from 'node:worker_threads';
import { GateCore } from '../core';
import { loadGateModel } from '../model/gate-model';
import type { EngineOptions } from './engine';
import { summarise } from './inline-engine';
import type { ThreadReply, ThreadRequest } from './thread-protocol';

/**
 * The gate's scoring thread: owns a GateCore (and so the feature windows) and answers the main
 * thread's requests in order. Loaded by ThreadEngine from dist/gate/engine/scoring-thread.js.
 */
const port = parentPort;
if (!port) throw new Error('scoring-thread must run as a worker thread');
const options = workerData as EngineOptions;
const initial = loadGateModel(options.modelPath);
const core = new GateCore({ ...options, model: initial });
port.postMessage({ id: 0, ok: true, model: summarise(initial) } satisfies ThreadReply);

port.on('message', (req: ThreadRequest) => {
  try {
    if (req.type === 'process') {
      const result = core.process({ bytes: new Uint8Array(req.bytes), ends: new Uint32Array(req.ends) }, req.receivedAt);
      port.postMessage({ id: req.id, ok: true, result } satisfies ThreadReply);
    } else if (req.type === 'model') {
      const model = loadGateModel(req.path);
      core.setModel(model);
      port.postMessage({ id: req.id, ok: true, model: summarise(model) } satisfies ThreadReply);
    } else {
      core.setSettings(req.settings);
      port.postMessage({ id: req.id, ok: true } satisfies ThreadReply);
    }
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ThreadReply);
  }
});
