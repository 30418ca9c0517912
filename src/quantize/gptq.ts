// GPTQ-style block quantization: quantizes a weight one input row at a time and spreads
// each row's rounding error over the rows not yet quantized, weighted by the inverse
// Hessian of the layer's inputs (H = XᵀX from calibration activations), so the layer's
// *outputs* stay close rather than the weights alone. Block scales are chosen (clipping
// search + refit, see blockwise.ts) from the updated weights when a block starts.
//   const q = quantizeGptq(rowMajorW, hessian, { K, N, bits: 4, blockSize: 32, symmetric: false, search: true });

import { chooseBlock, type BlockQuantized, type BlockQuantOptions } from './blockwise.js';

/** Fraction of the mean Hessian diagonal added to it, as GPTQ does. */
const DAMPING = 0.01;

/** In-place lower Cholesky factor of a symmetric positive definite K×K matrix; false if it fails. */
function choleskyLower(a: Float64Array, K: number): boolean {
  for (let j = 0; j < K; j++) {
    let d = a[j * K + j];
    for (let p = 0; p < j; p++) d -= a[j * K + p] * a[j * K + p];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * K + j] = ljj;
    for (let i = j + 1; i < K; i++) {
      let s = a[i * K + j];
      for (let p = 0; p < j; p++) s -= a[i * K + p] * a[j * K + p];
      a[i * K + j] = s / ljj;
    }
    for (let p = j + 1; p < K; p++) a[j * K + p] = 0;
  }
  return true;
}

/** Inverse of H from its lower Cholesky factor L (H = LLᵀ): H⁻¹ = L⁻ᵀL⁻¹. */
function inverseFromCholesky(l: Float64Array, K: number): Float64Array {
  const linv = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    linv[i * K + i] = 1 / l[i * K + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s += l[i * K + p] * linv[p * K + j];
      linv[i * K + j] = -s / l[i * K + i];
    }
  }
  const inv = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < K; p++) s += linv[p * K + i] * linv[p * K + j];
      inv[i * K + j] = s;
      inv[j * K + i] = s;
    }
  }
  return inv;
}

/**
 * Upper factor U of H⁻¹ (H⁻¹ = UᵀU) after damping; dead inputs (zero diagonal) are given a
 * unit diagonal. Returns undefined if H cannot be factorised even with more damping.
 */
export function inverseHessianFactor(hessian: Float64Array, K: number): Float64Array | undefined {
  let meanDiag = 0;
  for (let i = 0; i < K; i++) meanDiag += hessian[i * K + i];
  meanDiag /= K;
  if (!(meanDiag > 0)) return undefined;
  for (let damping = DAMPING; damping <= 1; damping *= 10) {
    const h = Float64Array.from(hessian);
    for (let i = 0; i < K; i++) {
      if (h[i * K + i] === 0) h[i * K + i] = meanDiag;
      h[i * K + i] += damping * meanDiag;
    }
    if (!choleskyLower(h, K)) continue;
    const inv = inverseFromCholesky(h, K);
    if (!choleskyLower(inv, K)) continue;
    // inv now holds the lower factor L' of H⁻¹ (H⁻¹ = L'L'ᵀ); U = L'ᵀ.
    const u = new Float64Array(K * K);
    for (let i = 0; i < K; i++) for (let j = 0; j <= i; j++) u[j * K + i] = inv[i * K + j];
    return u;
  }
  return undefined;
}

/**
 * Quantizes a row-major K×N weight (rows = inputs, columns = outputs) with the Hessian of
 * its inputs. Output layout matches quantizeColumns (column-major codes).
 */
export function quantizeGptq(
  weight: Float32Array,
  hessian: Float64Array,
  options: BlockQuantOptions,
): BlockQuantized | undefined {
  const { K, N, bits, blockSize, symmetric, search } = options;
  const u = inverseHessianFactor(hessian, K);
  if (!u) return undefined;
  const blocks = Math.ceil(K / blockSize);
  const qmax = (1 << bits) - 1;
  const w = Float64Array.from(weight);
  const codes = new Uint8Array(N * K);
  const scales = new Float32Array(N * blocks);
  const zeroPoints = new Uint8Array(N * blocks);
  const column = new Float32Array(blockSize);
  const err = new Float64Array(N);
  for (let k = 0; k < K; k++) {
    const b = Math.floor(k / blockSize);
    if (k % blockSize === 0) {
      const end = Math.min(K, k + blockSize);
      for (let n = 0; n < N; n++) {
        for (let r = k; r < end; r++) column[r - k] = w[r * N + n];
        const c = chooseBlock(column, 0, end - k, bits, symmetric, search);
        scales[n * blocks + b] = c.scale;
        zeroPoints[n * blocks + b] = c.zp;
      }
    }
    const ukk = u[k * K + k];
    for (let n = 0; n < N; n++) {
      const scale = scales[n * blocks + b];
      const zp = zeroPoints[n * blocks + b];
      const v = w[k * N + n];
      let q = scale === 0 ? zp : Math.round(v / scale) + zp;
      q = q < 0 ? 0 : q > qmax ? qmax : q;
      codes[n * K + k] = q;
      err[n] = (v - Math.fround(scale * (q - zp))) / ukk;
    }
    for (let j = k + 1; j < K; j++) {
      const ukj = u[k * K + j];
      if (ukj === 0) continue;
      const row = j * N;
      for (let n = 0; n < N; n++) w[row + n] -= ukj * err[n];
    }
  }
  return { K, N, bits, blockSize, blocks, symmetric, codes, scales, zeroPoints };
}
