// Math functions bound to module constants for the kernels' inner loops. Inside Node vm
// contexts (jest runs every test module in one) each global lookup of `Math` goes through the
// context's property interceptor and costs ~20× a module binding, so kernels import these.
//   import { exp, max } from './fast-math.js';

export const {
  abs,
  ceil,
  cos,
  exp,
  expm1,
  floor,
  imul,
  log,
  log1p,
  max,
  min,
  pow,
  sign,
  sin,
  sqrt,
  tan,
  tanh,
  trunc,
} = Math;
export const SQRT2 = Math.SQRT2;
export const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
export const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);
