import assert from 'node:assert/strict';
import { detectFormat } from '../../src/core/formats/detect';
import { buildZip, syntheticFile, toyFile } from './helpers';

describe('detectFormat', () => {
  it('recognises each fixture by content', () => {
    const cases: [Buffer, string][] = [
      [toyFile('cg_8g_gp', 'critic.pt'), 'torch-zip'],
      [toyFile('cg_8g_gp', 'critic_module.pt'), 'torch-zip'],
      [toyFile('cg_8g_gp', 'critic_legacy.pt'), 'torch-legacy'],
      [toyFile('cg_8g_gp', 'critic.safetensors'), 'safetensors'],
      [toyFile('cg_8g_gp', 'real_2000.npy'), 'npy'],
      [toyFile('cg_8g_gp', 'critic.onnx'), 'onnx'],
      [toyFile('dcgan', 'dcgan_mnist_critic_untrained.onnx'), 'onnx'],
      [syntheticFile('dtypes_legacy.pt'), 'torch-legacy'],
    ];
    for (const [bytes, format] of cases) assert.equal(detectFormat(bytes).format, format);
  });

  it('recognises truncated checkpoints for their readers to report', () => {
    for (const file of ['critic.pt', 'critic_legacy.pt', 'critic.safetensors', 'critic.onnx']) {
      const bytes = toyFile('cg_8g_gp', file);
      assert.notEqual(detectFormat(bytes.subarray(0, 400)).format, 'not-a-checkpoint', file);
    }
  });

  it('recognises TF.js models and run manifests', () => {
    const layers = Buffer.from(
      JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [] }),
    );
    assert.equal(detectFormat(layers).format, 'tfjs-layers');
    const run = Buffer.from(JSON.stringify({ format: 'gan-diagnostics-run', formatVersion: 1 }));
    assert.equal(detectFormat(run).format, 'run');
  });

  it('describes what a non-checkpoint is', () => {
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'empty'],
      [Buffer.from('hello, world\nsecond line\n'), 'text'],
      [Buffer.from('{"a": 1}'), 'json'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'image'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'image'],
      [buildZip([{ name: 'notes.txt', data: Buffer.from('x') }]), 'zip'],
      [
        Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x42, 0x99, 0x01, 0x02, 0x03, 0xfe]),
        'unknown binary',
      ],
    ];
    for (const [bytes, appearsToBe] of cases) {
      const detection = detectFormat(bytes);
      assert.equal(detection.format, 'not-a-checkpoint');
      assert.ok(detection.format === 'not-a-checkpoint');
      assert.equal(detection.appearsToBe, appearsToBe);
      assert.match(detection.message, /not a (torch\.save )?checkpoint/);
    }
  });

  it('lets the ONNX reader decide through its hook', () => {
    const bytes = toyFile('cg_8g_gp', 'critic.onnx');
    assert.equal(detectFormat(bytes, { onnx: () => false }).format, 'not-a-checkpoint');
    assert.equal(detectFormat(Buffer.from([0x08, 0x07]), { onnx: () => true }).format, 'onnx');
  });
});
