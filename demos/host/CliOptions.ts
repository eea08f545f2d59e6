// demos/host/CliOptions.ts — parsing of the numeric command-line options that the
// demo host (main.ts) and headless mode (headless.ts) share.

/** How a numeric option is checked. */
export interface NumberOptionRule {
  /** Used when the option is absent. */
  fallback: number;
  /** Smallest accepted value (inclusive); default 0. */
  min?: number;
  /** True when the value must be a whole number (entity counts, ports, workers). */
  integer?: boolean;
}

/** The value of `--name`, checked against `rule`; throws an Error that names the option. */
export function numberOption(value: string | undefined, name: string, rule: NumberOptionRule): number {
  if (value === undefined) return rule.fallback;
  const n = Number(value);
  const min = rule.min ?? 0;
  const kind = rule.integer ? "a whole number" : "a number";
  if (value.trim() === "" || !Number.isFinite(n) || n < min || (rule.integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be ${kind} >= ${min}, got "${value}"`);
  return n;
}
