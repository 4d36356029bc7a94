/*
 * Weight gradients of the gradient penalty (double backpropagation through tfjs) against central
 * finite differences of an independent float64 reference, on the cpu and wasm backends.
 *
 * Each backend runs penaltyGradientRun.ts in a child process of its own, which prints its results
 * as JSON for the tests here to assert on. A third child runs on cpu with tfjs's stock gradients
 * only, which no process can return to once the fixes are registered. It shows that the failures
 * the fixes prevent are real and that this harness detects them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  FIXED_CASES,
  FLAT_CASES,
  RELATIVE_TOLERANCE,
  RESULT_PREFIX,
  decodeRunOutput,
  type CaseResult,
  type GradientMode,
  type RunOutput,
} from './penaltyGradientCases';

const SCRIPT = path.join(__dirname, 'penaltyGradientRun.ts');
const REPOSITORY_ROOT = path.join(__dirname, '..', '..');
const CHILD_TIMEOUT_MS = 60_000;

function runChild(backend: string, mode: GradientMode): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', SCRIPT, backend, mode], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        const reason = signal === null ? `exit code ${code}` : `signal ${signal}`;
        reject(new Error(`${backend} ${mode} run failed (${reason}):\n${stderr.slice(-4000)}`));
        return;
      }
      resolve(decodeRunOutput(line.slice(RESULT_PREFIX.length)));
    });
  });
}

function resultByName(output: RunOutput, name: string): CaseResult {
  const result = output.results.find((r) => r.name === name);
  assert.ok(result, `no result for case '${name}' on ${output.backend}`);
  return result;
}

function describeWorst(result: CaseResult): string {
  const worst = result.perVariable.reduce(
    (a, b) => (b.relativeError > a.relativeError ? b : a),
    result.perVariable[0],
  );
  if (worst === undefined) return 'no variables compared';
  return `worst ${worst.name}[${worst.worstIndex}]: tfjs ${worst.actual}, finite difference ${worst.expected}`;
}

describe('penalty gradients against float64 finite differences', function () {
  this.timeout(CHILD_TIMEOUT_MS + 30_000);
  const runs = new Map<string, Promise<RunOutput>>();

  before(function () {
    // Started together; each promise is awaited by its own describe block.
    for (const backend of ['cpu', 'wasm']) runs.set(`${backend} fixed`, runChild(backend, 'fixed'));
    runs.set('cpu stock', runChild('cpu', 'stock'));
    // A rejection is reported by the block that awaits it, not as an unhandled rejection here.
    for (const run of runs.values()) run.catch(() => undefined);
  });

  for (const backend of ['cpu', 'wasm']) {
    describe(`${backend} backend`, function () {
      let output: RunOutput;

      before(async function () {
        output = await runs.get(`${backend} fixed`)!;
      });

      it('runs on the requested backend', function () {
        assert.equal(output.tfjsBackend, backend);
        this.test!.title += ` (${output.results.length} cases in ${output.elapsedMs} ms)`;
      });

      for (const spec of FIXED_CASES) {
        it(spec.name, function () {
          const result = resultByName(output, spec.name);
          assert.equal(result.error, undefined, `tfjs threw: ${result.error}`);
          assert.ok(result.finite, 'the penalty or a gradient entry is not finite');
          assert.ok(
            result.maxRelativeError <= RELATIVE_TOLERANCE,
            `relative error ${result.maxRelativeError} > ${RELATIVE_TOLERANCE}; ${describeWorst(result)}`,
          );
          // The penalty itself agrees to float32 rounding.
          assert.ok(
            Math.abs(result.penalty32 - result.penalty64) <= 1e-5 * Math.abs(result.penalty64),
          );
          assert.ok(result.maxAbsGradient > 0, 'every gradient entry is zero');
          assert.equal(result.leakedTensors, 0, 'tensors leaked');
          this.test!.title += ` (max relative error ${result.maxRelativeError.toExponential(1)}, ${result.checkedEntries} weights)`;
        });
      }

      for (const spec of FLAT_CASES) {
        it(`${spec.name} has a finite penalty gradient`, function () {
          const result = resultByName(output, spec.name);
          assert.equal(result.error, undefined, `tfjs threw: ${result.error}`);
          assert.ok(result.finite, 'the penalty or a gradient entry is not finite');
          // The input gradient is 0, so the norm is √1e-12 and the penalty λ·(1e-6 - 1)².
          assert.ok(Math.abs(result.penalty32 - result.penalty64) <= 1e-5 * result.penalty64);
          // ∂‖g‖/∂w = g·(∂g/∂w)/‖g‖ vanishes at g = 0, and the epsilon keeps ‖g‖ from being 0.
          assert.equal(result.maxAbsGradient, 0);
          assert.equal(result.leakedTensors, 0, 'tensors leaked');
        });
      }
    });
  }

  // Measured on tfjs 4.22 with the stock gradients: tanh and sigmoid give silently wrong weight
  // gradients (bias gradients exactly 0), LeakyReLU, ELU and average pooling throw.
  describe('cpu backend with stock tfjs gradients', function () {
    let output: RunOutput;

    before(async function () {
      output = await runs.get('cpu stock')!;
    });

    it('relu MLP matches, so the harness is sound', function () {
      const result = resultByName(output, 'relu MLP');
      assert.equal(result.error, undefined);
      assert.ok(
        result.maxRelativeError <= RELATIVE_TOLERANCE,
        `relative error ${result.maxRelativeError}`,
      );
    });

    for (const name of ['tanh MLP', 'sigmoid MLP']) {
      it(`${name} is silently wrong`, function () {
        const result = resultByName(output, name);
        assert.equal(result.error, undefined);
        assert.ok(result.finite);
        assert.ok(result.maxRelativeError > 0.1, `relative error only ${result.maxRelativeError}`);
        // The second-derivative term is all that reaches a hidden bias, and it is dropped.
        const hiddenBias = result.perVariable.find((v) => v.name === 'dense_0/bias');
        assert.ok(hiddenBias);
        assert.equal(hiddenBias.actual, 0);
        assert.notEqual(hiddenBias.expected, 0);
        this.test!.title += ` (relative error ${result.maxRelativeError.toPrecision(2)})`;
      });
    }

    const throwing: [string, string][] = [
      ['leakyRelu MLP', 'Greater'],
      ['elu MLP', 'EluGrad'],
      ['average-pool critic', 'AvgPoolGrad'],
    ];
    for (const [name, kernel] of throwing) {
      it(`${name} throws for ${kernel}`, function () {
        const result = resultByName(output, name);
        assert.match(
          result.error ?? '',
          new RegExp(`gradient function not found for ${kernel}\\b`),
        );
      });
    }
  });
});
