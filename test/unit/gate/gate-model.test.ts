import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../gate/features/extractor';
import { encodeModel, trainIsolationForest } from '../../../gate/iforest';
import { decodeGateModel, GateModelError, loadGateModel, saveGateModel } from '../../../gate/model/gate-model';
import { inTimeOrder, trainGateModel, trainingRows } from '../../../gate/model/train';
import { exampleAlerts } from '../../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'vigil-gate-model-'));
const alerts = exampleAlerts();

describe('gate model file', () => {
  const model = trainGateModel(alerts, { seed: 7, nTrees: 20, sampleSize: 16, criticalNamespaces: ['kube-system'], input: 'examples' });

  it('round-trips the forest and the extractor baseline', () => {
    const path = join(dir, 'model.json');
    saveGateModel(model, path);
    const loaded = loadGateModel(path);
    expect(loaded.forest.info).toMatchObject({ nTrees: 20, sampleSize: 16, seed: 7, featureNames: [...FEATURE_NAMES], trainingRows: alerts.length });
    expect(loaded.baseline).toEqual(model.baseline);
    expect(loaded.training).toMatchObject({ input: 'examples', rows: alerts.length });
    expect(loaded.id).toMatch(/^[0-9a-f]{12}$/);
    const row = new Float64Array(FEATURE_COUNT).fill(1);
    expect(loaded.forest.score(row)).toBe(model.forest.score(row));
  });

  it('trains the same model from the same alerts and seed, in any input order', () => {
    const again = trainGateModel([...alerts].reverse(), { seed: 7, nTrees: 20, sampleSize: 16, criticalNamespaces: ['kube-system'], input: 'examples' });
    expect(encodeModel(again.forest)).toBe(encodeModel(model.forest));
    const other = trainGateModel(alerts, { seed: 8, nTrees: 20, sampleSize: 16 });
    expect(encodeModel(other.forest)).not.toBe(encodeModel(model.forest));
  });

  it('extracts training rows against the whole file, not what came before each row', () => {
    const { matrix } = trainingRows(alerts);
    const ordered = inTimeOrder(alerts);
    const firstRuleRarity = matrix[FEATURE_NAMES.indexOf('rule_rarity')]!;
    const count = ordered.filter((a) => a.rule === ordered[0]!.rule).length;
    expect(firstRuleRarity).toBeCloseTo(Math.log2((alerts.length + 1) / (count + 1)));
  });

  it('refuses a model whose features differ from the extractor, saying to retrain', () => {
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { features: { names: string[] } };
    doc.features.names = [...FEATURE_NAMES].reverse();
    expect(() => decodeGateModel(JSON.stringify(doc), 'm.json')).toThrow(/differ from this gate's extractor.*retrain/);
    const narrow = trainIsolationForest([[1, 2], [3, 4], [5, 6]], { featureNames: ['a', 'b'] });
    expect(() => decodeGateModel(encodeModel(narrow), 'bare.json')).toThrow(GateModelError);
    expect(() => decodeGateModel(encodeModel(narrow), 'bare.json')).toThrow(/features \[a, b\]/);
  });

  it('accepts a bare gate/iforest model with the right feature names (no baseline)', () => {
    const rows = trainingRows(alerts).matrix;
    const bare = trainIsolationForest({ data: rows, nRows: alerts.length, nFeatures: FEATURE_COUNT }, { featureNames: FEATURE_NAMES, nTrees: 5, sampleSize: 8 });
    const loaded = decodeGateModel(encodeModel(bare), 'bare.json');
    expect(loaded.baseline).toBeUndefined();
  });

  it('refuses missing, truncated, foreign and corrupt files with a reason', () => {
    expect(() => loadGateModel(join(dir, 'absent.json'))).toThrow(/cannot read model .*vigil train/);
    const text = readFileSync(join(dir, 'model.json'), 'utf8');
    expect(() => decodeGateModel(text.slice(0, 100), 't.json')).toThrow(/not valid JSON/);
    expect(() => decodeGateModel('{"format":"something-else"}', 'f.json')).toThrow(/not a Vigil gate model/);
    const doc = JSON.parse(text) as { forest: { splitValues: string } };
    doc.forest.splitValues = Buffer.from(doc.forest.splitValues, 'base64').fill(0, 0, 8).toString('base64');
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, JSON.stringify(doc));
    expect(() => loadGateModel(corrupt)).toThrow(/checksum/);
  });

  it('trains with ml-isolation-forest too, the side-by-side baseline, into the same file format', () => {
    const ml = trainGateModel(alerts, { trainer: 'ml-isolation-forest', seed: 7, nTrees: 10, sampleSize: 16 });
    const path = join(dir, 'ml.json');
    saveGateModel(ml, path);
    expect(loadGateModel(path).forest.info).toMatchObject({ trainer: 'ml-isolation-forest', nTrees: 10, featureNames: [...FEATURE_NAMES] });
  });

  it('refuses to train on fewer than two alerts', () => {
    expect(() => trainGateModel(alerts.slice(0, 1))).toThrow('at least 2');
  });
});
