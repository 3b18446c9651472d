// Small statistics and number formatting for the report.

/** The median of a list of numbers (the mean of the two middle ones for an even count); NaN for an empty list. */
export const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const min = (values) => Math.min(...values);
export const max = (values) => Math.max(...values);

/** `ours / theirs`, or NaN when it is not defined. */
export const ratio = (ours, theirs) => (theirs > 0 && Number.isFinite(ours) ? ours / theirs : Number.NaN);

/** A number with about three significant digits, thousands separated. */
export const fmt = (value, digits = 3) => {
  if (value === undefined || value === null || Number.isNaN(value)) return "n/a";
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const decimals =
    magnitude >= 100 ? 0 : magnitude >= 10 ? Math.max(0, digits - 2) : magnitude >= 1 ? digits - 1 : digits;
  return value.toLocaleString("en-US", { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
};

/** A ratio as `0.42x`. */
export const fmtRatio = (value) =>
  Number.isFinite(value) ? `${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}x` : "n/a";

/** `median (min–max)` of a list, with a unit. */
export const spread = (values, unit = "") =>
  values.length > 1
    ? `${fmt(median(values))}${unit} (${fmt(min(values))}–${fmt(max(values))})`
    : `${fmt(values[0])}${unit}`;

/** Bytes as kB or MB. */
export const fmtBytes = (bytes) =>
  bytes >= 1024 * 1024
    ? `${fmt(bytes / (1024 * 1024))} MiB`
    : bytes >= 1024
      ? `${fmt(bytes / 1024)} KiB`
      : `${fmt(bytes)} B`;
