/** Iteration cap of the gamma series and continued fraction; both need O(√a) terms, about 60 at a = 400. */
const GAMMA_MAX_ITERATIONS = 10_000;
/** Relative size of the last term at which the series or fraction stops (float64 resolution). */
const GAMMA_EPSILON = 1e-16;

/**
 * ln Γ(x) for x > 0: the recurrence Γ(x) = Γ(x + n)/(x(x+1)…(x+n-1)) lifts x to at least 15,
 * where Stirling's series with terms up to 1/x⁹ leaves an error below 691/(360360·15¹¹) ≈ 2e-16.
 * NaN for x ≤ 0.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const inverse = 1 / x;
  const inverseSquared = inverse * inverse;
  const series =
    inverse *
    (1 / 12 -
      inverseSquared *
        (1 / 360 -
          inverseSquared * (1 / 1260 - inverseSquared * (1 / 1680 - inverseSquared / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/**
 * Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a): the power series below x = a + 1
 * and 1 - Q from a modified-Lentz continued fraction above it, the split that keeps both
 * converging fast. NaN for a ≤ 0 or NaN x; 0 for x ≤ 0.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  const logPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (
      let n = 1;
      n < GAMMA_MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * GAMMA_EPSILON;
      n++
    ) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, sum * Math.exp(logPrefactor));
  }
  return Math.max(0, 1 - upperGammaFraction(a, x) * Math.exp(logPrefactor));
}

/** Continued fraction of Γ(a, x)·e^x·x^-a, evaluated by the modified Lentz method. */
function upperGammaFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let n = 1; n < GAMMA_MAX_ITERATIONS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < GAMMA_EPSILON) break;
  }
  return fraction;
}

/** P(χ²_dof ≤ x). NaN for dof ≤ 0 or NaN x. */
export function chiSquareCdf(x: number, dof: number): number {
  return regularizedGammaP(dof / 2, x / 2);
}

/**
 * Finds the x with P(χ²_dof ≤ x) = p by bisection on the CDF to float64 resolution (about 60
 * halvings after bracketing). The closed form -2 ln(1 - p) is used for dof = 2. NaN for p
 * outside [0, 1] or dof ≤ 0; Infinity for p = 1.
 */
export function chiSquareQuantile(p: number, dof: number): number {
  if (!(p >= 0 && p <= 1) || !(dof > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  if (dof === 2) return -2 * Math.log1p(-p);
  let low = 0;
  let high = Math.max(1, dof);
  while (chiSquareCdf(high, dof) < p) {
    low = high;
    high *= 2;
  }
  while (high - low > 1e-15 * high) {
    const mid = 0.5 * (low + high);
    if (mid === low || mid === high) break;
    if (chiSquareCdf(mid, dof) < p) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
}
