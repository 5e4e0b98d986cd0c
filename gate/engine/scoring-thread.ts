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

const fault = options.fault ? { kind: options.fault.kind, marker: Buffer.from(options.fault.marker) } : null;

port.on('message', (req: ThreadRequest) => {
  try {
    if (req.type === 'process') {
      const bytes = new Uint8Array(req.bytes);
      if (fault && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(fault.marker)) {
        if (fault.kind === 'crash') process.exit(70);
        for (;;) {
          // A scorer that never answers: what the watchdog and the stall deadline are for.
        }
      }
      const events = { bytes, ends: new Uint32Array(req.ends), ...(req.receivedMs ? { receivedMs: new Float64Array(req.receivedMs) } : {}) };
      const result = core.process(events, req.receivedAt);
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
