/**
 * The alternating-rounds loop of every workload: an optional warm-up round (not recorded), then `runs`
 * rounds; in each round every contender is measured once, the order rotating from round to round so
 * that none always runs first (or right after the same neighbour) while the machine's load drifts.
 */

/**
 * measure(contender, runLabel, round) → one sample (a number or an object); round is -1 for the
 * warm-up. describe(sample) → a short text for the progress line on stderr (optional).
 * Returns one array of samples per contender, in the contenders' order.
 */
export async function alternate({ label, contenders, runs, warmUp = false, measure, describe, log = () => {} }) {
  const samples = contenders.map(() => []);
  for (let round = warmUp ? -1 : 0; round < runs; round++) {
    const order = contenders.map((_, i) => (i + Math.max(round, 0)) % contenders.length);
    for (const i of order) {
      const runLabel = `${label} / ${contenders[i].name}${round < 0 ? ' (warm-up)' : ` (run ${round + 1})`}`;
      const sample = await measure(contenders[i], runLabel, round);
      if (round >= 0) samples[i].push(sample);
    }
    if (round >= 0 && describe)
      log(`  ${label} round ${round + 1}/${runs}: ${samples.map((s) => describe(s.at(-1))).join(' · ')}`);
  }
  return samples;
}
