import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FalcoAlertSchema } from '../../contracts';
import { saveGateModel } from '../../gate/model/gate-model';
import { trainGateModel } from '../../gate/model/train';
import type { GateSettings } from '../../gate/policy-settings';
import { readGateSettings } from '../../gate/policy-settings';
import { fromRoot } from '../../lib/paths';

const jsonLines = (file: string) =>
  readFileSync(fromRoot('examples', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim());

/**
 * The demo's traffic (background and replay: benign with a few attacks), cycled without end; each
 * cycle five days later than the last, so repeats read as new days to the gate, not as a burst.
 */
export function demoTraffic(): { at(i: number): string } {
  const source = [...jsonLines('gate-background.jsonl'), ...jsonLines('gate-replay.jsonl')];
  const cycle = (line: string, c: number): string => {
    if (c === 0) return line;
    try {
      const a = JSON.parse(line) as { time: string };
      a.time = new Date(Date.parse(a.time) + c * 5 * 86_400_000).toISOString();
      return JSON.stringify(a);
    } catch {
      return line;
    }
  };
  return { at: (i) => cycle(source[i % source.length]!, Math.floor(i / source.length)) };
}

/** The demo's model (`vigil train` on the background) saved into `dir`, with the built policy's gate settings. */
export function trainDemoModel(dir: string): { modelPath: string; settings: GateSettings } {
  const settings = readGateSettings(fromRoot('policies', 'build'));
  const modelPath = join(dir, 'model.json');
  const background = jsonLines('gate-background.jsonl').map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
  saveGateModel(trainGateModel(background, { criticalNamespaces: settings.criticalNamespaces }), modelPath);
  return { modelPath, settings };
}
