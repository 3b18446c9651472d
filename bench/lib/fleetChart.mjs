// The fleet chart: upstream requests per simulated second over the two hours, one step line per implementation, as a
// hand-written SVG (no dependencies). The y axis is logarithmic (0 drawn on the axis), so that a spread of a few
// refreshes per second and a spike of a thousand are both readable; the tick labels say so.

const WIDTH = 960;
const HEIGHT = 460;
const MARGIN = { top: 64, right: 24, bottom: 56, left: 72 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

const escapeXml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const round = (value) => Math.round(value * 10) / 10;

/**
 * @param {{ seconds: number, chains: number, series: Array<{ label: string, color: string, perSecond: number[] }> }} input
 * @returns {string} the SVG document
 */
export const renderFleetChart = ({ seconds, chains, series }) => {
  const peak = Math.max(1, ...series.flatMap((line) => line.perSecond));
  const decades = Math.max(1, Math.ceil(Math.log10(peak) - 1e-9));
  const x = (second) => MARGIN.left + (second / seconds) * PLOT_W;
  const y = (count) => MARGIN.top + PLOT_H - (Math.log10(count + 1) / decades) * PLOT_H;

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>Upstream requests per simulated second, ${chains.toLocaleString("en-US")} chains over ${seconds / 3600} hours</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">STS requests per simulated second: ${chains.toLocaleString("en-US")} chains created in the same second, 1-hour credentials</text>`,
  );

  // Grid and y axis: 0, 1, 10, 100, ... (log scale).
  const yTicks = [0, ...Array.from({ length: decades + 1 }, (_, power) => 10 ** power)].filter(
    (tick) => tick <= 10 ** decades,
  );
  for (const tick of yTicks) {
    const ty = round(y(tick));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${ty}" x2="${MARGIN.left + PLOT_W}" y2="${ty}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${ty + 4}" text-anchor="end">${tick.toLocaleString("en-US")}</text>`,
    );
  }
  // x axis: every 15 minutes.
  for (let minute = 0; minute <= seconds / 60; minute += 15) {
    const tx = round(x(minute * 60));
    parts.push(
      `<line x1="${tx}" y1="${MARGIN.top}" x2="${tx}" y2="${MARGIN.top + PLOT_H}" stroke="#f0f0f0"/>`,
      `<line x1="${tx}" y1="${MARGIN.top + PLOT_H}" x2="${tx}" y2="${MARGIN.top + PLOT_H + 5}" stroke="#333"/>`,
      `<text x="${tx}" y="${MARGIN.top + PLOT_H + 19}" text-anchor="middle">${minute}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + PLOT_H}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + PLOT_H}" x2="${MARGIN.left + PLOT_W}" y2="${MARGIN.top + PLOT_H}" stroke="#333"/>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 14}" text-anchor="middle">simulated time (minutes)</text>`,
    `<text transform="translate(18 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">requests in that second (log scale)</text>`,
  );

  // One step line per series; runs of equal values are merged, so the file stays small.
  for (const line of series) {
    const points = [];
    let previous;
    line.perSecond.forEach((count, second) => {
      if (count === previous) return;
      if (previous !== undefined) points.push([x(second), y(previous)]);
      points.push([x(second), y(count)]);
      previous = count;
    });
    points.push([x(line.perSecond.length), y(previous ?? 0)]);
    parts.push(
      `<polyline fill="none" stroke="${line.color}" stroke-width="1.5" stroke-linejoin="round" points="${points.map(([px, py]) => `${round(px)},${round(py)}`).join(" ")}"/>`,
    );
  }

  series.forEach((line, index) => {
    const lx = MARGIN.left + index * 440;
    const ly = 46;
    const refreshPeak = Math.max(0, ...line.perSecond.slice(1));
    parts.push(
      `<line x1="${round(lx)}" y1="${ly - 4}" x2="${round(lx + 24)}" y2="${ly - 4}" stroke="${line.color}" stroke-width="3"/>`,
      `<text x="${round(lx + 30)}" y="${ly}">${escapeXml(line.label)}, peak ${refreshPeak.toLocaleString("en-US")} refreshes/s</text>`,
    );
  });
  parts.push(
    `<text x="${MARGIN.left + 6}" y="${MARGIN.top + 14}" fill="#555">second 0: the first resolutions of every chain (not refreshes)</text>`,
    "</svg>",
    "",
  );
  return parts.join("\n");
};
