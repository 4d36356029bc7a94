import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  atLeastAsSevere,
  NUMBER_RULES,
  PROBE_COUNT_KEYS,
  readSettings,
} from '../../src/extension/settings';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
const properties: Record<
  string,
  {
    default?: unknown;
    minimum?: number;
    maximum?: number;
    enum?: string[];
    enumDescriptions?: string[];
  }
> = manifest.contributes.configuration.properties;

describe('readSettings', () => {
  it('returns defaults when nothing is set', () => {
    const { settings, problems } = readSettings(() => undefined);
    assert.deepEqual(problems, []);
    assert.equal(settings.backend, 'auto');
    assert.equal(settings.trainingWorkers, 'auto');
    assert.equal(settings.probeCounts.interpolates, 2000);
    assert.equal(settings.maxCheckpointBytes, 512 * 1024 * 1024);
    assert.deepEqual(settings.watchFolders, []);
    assert.equal(settings.problemsSeverity, 'warning');
  });

  it('accepts valid values', () => {
    const values: Record<string, unknown> = {
      backend: 'wasm',
      trainingWorkers: 3,
      'probe.realCount': 500,
      'probe.seed': 7,
      watchFolders: [' exports ', 'exports', '/abs/dir'],
      maxCheckpointSizeMB: 2,
      'problems.minimumSeverity': 'info',
    };
    const { settings, problems } = readSettings((key) => values[key]);
    assert.deepEqual(problems, []);
    assert.equal(settings.backend, 'wasm');
    assert.equal(settings.trainingWorkers, 3);
    assert.equal(settings.probeCounts.real, 500);
    assert.equal(settings.probeSeed, 7);
    assert.deepEqual(settings.watchFolders, ['exports', '/abs/dir']);
    assert.equal(settings.maxCheckpointBytes, 2 * 1024 * 1024);
    assert.equal(settings.problemsSeverity, 'info');
  });

  it('replaces invalid values and names them', () => {
    const values: Record<string, unknown> = {
      backend: 'gpu',
      'probe.interpolatesCount': 10,
      'probe.seed': 1.5,
      watchFolders: ['ok', 3],
      maxCheckpointSizeMB: -1,
    };
    const { settings, problems } = readSettings((key) => values[key]);
    assert.equal(settings.backend, 'auto');
    assert.equal(settings.probeCounts.interpolates, 2000);
    assert.equal(settings.probeSeed, 1);
    assert.deepEqual(settings.watchFolders, ['ok']);
    assert.equal(settings.maxCheckpointBytes, 512 * 1024 * 1024);
    assert.equal(problems.length, 5);
    assert.ok(
      problems.some((p) => p.startsWith('ganDiagnostics.backend is "gpu"; expected one of auto')),
    );
    assert.ok(
      problems.some((p) =>
        p.includes(
          'ganDiagnostics.probe.interpolatesCount is 10; expected an integer in 64..100000',
        ),
      ),
    );
  });

  it('orders severities', () => {
    assert.equal(atLeastAsSevere('error', 'warning'), true);
    assert.equal(atLeastAsSevere('info', 'warning'), false);
    assert.equal(atLeastAsSevere('warning', 'warning'), true);
  });
});

describe('package.json configuration', () => {
  it('declares every setting the reader reads', () => {
    const keys = [
      'backend',
      'trainingWorkers',
      'probe.seed',
      'watchFolders',
      'watchDebounceMs',
      'maxCheckpointSizeMB',
      'runsFolder',
      'problems.minimumSeverity',
      ...PROBE_COUNT_KEYS.map((k) => `probe.${k}Count`),
    ];
    for (const key of keys)
      assert.ok(properties[`ganDiagnostics.${key}`], `ganDiagnostics.${key} is not declared`);
    assert.equal(Object.keys(properties).length, keys.length);
  });

  it('uses the same ranges as the reader', () => {
    const pairs: [string, { default: number; min: number; max: number }][] = [
      ['trainingWorkers', NUMBER_RULES.trainingWorkers],
      ['probe.seed', NUMBER_RULES.probeSeed],
      ['watchDebounceMs', NUMBER_RULES.watchDebounceMs],
      ['maxCheckpointSizeMB', NUMBER_RULES.maxCheckpointSizeMB],
      ...PROBE_COUNT_KEYS.map(
        (k) =>
          [`probe.${k}Count`, NUMBER_RULES.probeCount] as [string, typeof NUMBER_RULES.probeCount],
      ),
    ];
    for (const [key, rule] of pairs) {
      const property = properties[`ganDiagnostics.${key}`];
      assert.equal(property.default, rule.default, `${key} default`);
      assert.equal(property.minimum, rule.min, `${key} minimum`);
      assert.equal(property.maximum, rule.max, `${key} maximum`);
    }
  });

  it('describes every backend', () => {
    const backend = properties['ganDiagnostics.backend'];
    assert.deepEqual(backend.enum, ['auto', 'node-gpu', 'node', 'wasm', 'cpu']);
    assert.equal(backend.enumDescriptions?.length, 5);
  });
});
