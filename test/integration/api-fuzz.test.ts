/**
 * A short, bounded run of the API fuzzer (test/fuzz/api-fuzz.ts) against a real node: no 500, no breach of
 * contract.md's rules the fuzzer checks, no crash, every request answered. Longer runs:
 * `npx node test/fuzz/api-fuzz.ts --cases 100000 --seed S`.
 */
import { describe, expect, it } from 'vitest';
import { describeFailure, runApiFuzz, summary } from '../fuzz/api-fuzz.ts';

/** A fixed seed replays the same run; FUZZ_SEED tries another. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 14);

describe('API fuzzing', () => {
  for (const [mode, cases] of [
    ['independent', 2000],
    ['master', 1000],
  ] as const) {
    it(`${cases} random and mutated requests to an active ${mode} node: no 500, no breach, no crash`, async () => {
      const lines: string[] = [];
      const result = await runApiFuzz({
        seed: SEED,
        cases,
        concurrency: 32,
        mode,
        stopAtFirst: false,
        log: (line) => lines.push(line),
      });
      console.log(summary(result));
      expect(result.cases).toBe(cases);
      expect(result.failures.map((f) => describeFailure(result, f, ''))).toEqual([]);
    }, 120_000);
  }
});
