// Runs the variants of a scenario in alternation: repetition 1 in the given order, repetition 2 reversed, and so on,
// so that a slow phase of a noisy machine does not land on one side only.

/**
 * Calls `measure(variant, repetition)` for each variant, `repetitions` times, alternating the order; returns the
 * results grouped by variant name, in repetition order.
 */
export const alternate = async (variants, repetitions, measure) => {
  const results = Object.fromEntries(variants.map((variant) => [variant, []]));
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const order = repetition % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) results[variant].push(await measure(variant, repetition));
  }
  return results;
};
