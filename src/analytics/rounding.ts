// PHP's round(): halves away from zero, on the decimal value as printed (PHP pre-rounds, so
// round(1.005, 2) is 1.01 although the double is 1.00499…).
export function phpRound(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 ? -rounded : rounded === 0 ? 0 : rounded;
}
