import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeModel, encodeModel, IForestErrorCode, loadModel, saveModel, trainIsolationForest } from '../../../gate/iforest';
import { uniformRows } from '../../../gate/iforest/synthetic-data';

describe('model file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-iforest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const names = ['priority', 'rule_rarity', 'proc_rarity', 'in_container'];
  const rows = uniformRows(2000, 4, 1);
  const model = trainIsolationForest(rows, { seed: 42, featureNames: names });
  const probe = uniformRows(300, 4, 2, 4);

  it('round-trips to identical scores, header and arrays', () => {
    const path = join(dir, 'model.json');
    saveModel(model, path);
    const loaded = loadModel(path, { expectedFeatures: names });
    expect(loaded.info).toEqual(model.info);
    expect(loaded.forest).toEqual(model.forest);
    expect(Array.from(loaded.scoreBatch(probe))).toEqual(Array.from(model.scoreBatch(probe)));
    // Small: ~0.7 MB for 100 trees at ψ = 256.
    expect(statSync(path).size).toBeLessThan(1_000_000);
  });

  it('round-trips a converted ml-isolation-forest model, which then scores without the package', () => {
    const ml = trainIsolationForest(rows, { trainer: 'ml-isolation-forest', seed: 3, nTrees: 20 });
    const loaded = decodeModel(encodeModel(ml));
    expect(loaded.info.trainer).toBe('ml-isolation-forest');
    expect(loaded.baseline).toBeUndefined();
    expect(Array.from(loaded.scoreBatch(probe))).toEqual(Array.from(ml.scoreBatch(probe)));
  });

  it('records what the model needs to be checked and reproduced', () => {
    const file = JSON.parse(encodeModel(model)) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'vigil-iforest',
      version: 1,
      trainer: 'vigil',
      seed: 42,
      nTrees: 100,
      sampleSize: 256,
      heightLimit: 8,
      nFeatures: 4,
      featureNames: names,
      trainingRows: 2000,
    });
    expect(file['checksum']).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  describe('refuses a bad file with a reason', () => {
    const good = (): Record<string, unknown> => JSON.parse(encodeModel(model)) as Record<string, unknown>;
    const refuse = (text: string, code: string, message: RegExp): void => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, text);
      expect(() => loadModel(path)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    };

    it('a missing file', () => {
      expect(() => loadModel(join(dir, 'nope.json'))).toThrow(expect.objectContaining({ code: IForestErrorCode.ModelUnreadable, message: expect.stringMatching(/cannot read model file .*nope\.json/) }));
    });

    it('a truncated file', () => {
      const text = encodeModel(model);
      refuse(text.slice(0, text.length / 2), IForestErrorCode.ModelUnreadable, /bad\.json: not valid JSON \(truncated\?\)/);
    });

    it('some other JSON document', () => {
      refuse('{"hello": 1}', IForestErrorCode.ModelFormat, /not a Vigil model: format is undefined/);
      refuse('[1, 2]', IForestErrorCode.ModelFormat, /not a Vigil model/);
    });

    it('a newer format version', () => {
      refuse(JSON.stringify({ ...good(), version: 2 }), IForestErrorCode.ModelFormat, /format version 2 is not supported by this build \(it reads version 1\)/);
    });

    it('a flipped bit in the trees', () => {
      const file = good();
      const bytes = Buffer.from(file['splitValues'] as string, 'base64');
      bytes[100] = bytes[100]! ^ 0x01;
      refuse(JSON.stringify({ ...file, splitValues: bytes.toString('base64') }), IForestErrorCode.ModelCorrupt, /checksum does not match the content \(corrupt or edited/);
    });

    it('an edited header field', () => {
      refuse(JSON.stringify({ ...good(), seed: 43 }), IForestErrorCode.ModelCorrupt, /checksum does not match/);
      refuse(JSON.stringify({ ...good(), nTrees: 99 }), IForestErrorCode.ModelCorrupt, /splitFeatures must hold 25245 values/);
      refuse(JSON.stringify({ ...good(), sampleSize: 128 }), IForestErrorCode.ModelCorrupt, /normaliser .* is not c\(128\)/);
      refuse(JSON.stringify({ ...good(), trainer: 'sklearn' }), IForestErrorCode.ModelCorrupt, /trainer must be one of vigil, ml-isolation-forest/);
      refuse(JSON.stringify({ ...good(), nFeatures: 0 }), IForestErrorCode.ModelCorrupt, /nFeatures must be an integer in \[1/);
    });

    it('a split on a feature the model does not have, even with a matching checksum', () => {
      // Rebuild a self-consistent file whose trees point past the feature count.
      const broken = trainIsolationForest(rows, { seed: 42, nTrees: 3 });
      broken.forest.splitFeatures[0] = 9;
      refuse(encodeModel(broken), IForestErrorCode.ModelCorrupt, /a split uses feature 9, the model has 4/);
    });
  });

  it('refuses a sound model that does not fit the caller’s feature vector', () => {
    const path = join(dir, 'mismatch.json');
    saveModel(model, path);
    expect(() => loadModel(path, { expectedFeatures: 5 })).toThrow(
      expect.objectContaining({ code: IForestErrorCode.ModelMismatch, message: expect.stringMatching(/takes 4 features, the caller provides 5/) }),
    );
    expect(() => loadModel(path, { expectedFeatures: ['priority', 'rule_rarity', 'in_container', 'proc_rarity'] })).toThrow(/differ from the caller's/);
    expect(loadModel(path, { expectedFeatures: 4 }).info.nFeatures).toBe(4);
    const unnamed = join(dir, 'unnamed.json');
    saveModel(trainIsolationForest(rows, { nTrees: 2 }), unnamed);
    expect(() => loadModel(unnamed, { expectedFeatures: names })).toThrow(/saved without feature names/);
  });

  it('leaves no temporary file behind after saving', () => {
    const path = join(dir, 'atomic.json');
    saveModel(model, path);
    expect(readFileSync(path, 'utf8').startsWith('{"format":"vigil-iforest"')).toBe(true);
    expect(() => statSync(`${path}.${process.pid}.tmp`)).toThrow();
  });
});
