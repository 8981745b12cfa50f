/**
 * Memory under a flapping peer link (issue 14 item 9): a real pair from the service bundle (dist/node, built by
 * `npm run build:node`), the backup dialling the master through the chaos fault proxy, which cuts the link and
 * heals it again every `--period-ms` for `--minutes`. Both nodes' resident memory (VmRSS) is printed every
 * 30 s and at the end, so growth that does not level off shows. `--control` runs the same pair without cutting,
 * for comparison. Bounded by its duration; it never fails on a number.
 *
 *   npm run build:node && npx node test/soak/link-flap.ts --minutes 14
 *   npx node test/soak/link-flap.ts --minutes 14 --control
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ChaosPair } from '../chaos/pair.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '14' },
    'period-ms': { type: 'string', default: '5000' },
    control: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const periodMs = Number(values['period-ms']);
if (!(minutes > 0) || !(periodMs >= 200)) {
  console.error('--minutes must be above 0 and --period-ms at least 200');
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '../..');
const entry = path.join(root, 'dist/node/node-core/tandem-node.js');
if (!fs.existsSync(entry)) {
  console.error(`no service bundle at ${entry}: run npm run build:node first`);
  process.exit(2);
}

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number | null): string {
  if (pid === null) return 'down';
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return (kib / 1024).toFixed(1);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const pair = await ChaosPair.make({ entry, nodeBin: path.join(root, 'node_modules/.bin/node') }, 9, null);
try {
  await pair.form();
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  let cycles = 0;
  let nextSample = started;
  console.log(
    `${values.control ? 'control (no cuts)' : `link cut and healed every ${periodMs} ms`}, ${minutes} min`,
  );
  console.log('min    master MiB  backup MiB  cycles  link');
  while (Date.now() < endAt) {
    if (Date.now() >= nextSample) {
      const status = await pair.backup.status();
      const link = status?.peer?.status ?? 'not linked';
      const at = ((Date.now() - started) / 60_000).toFixed(1).padEnd(6);
      console.log(
        `${at} ${rssMiB(pair.master.pid).padEnd(11)} ${rssMiB(pair.backup.pid).padEnd(11)} ${String(cycles).padEnd(7)} ${link}`,
      );
      nextSample += 30_000;
    }
    if (!values.control) pair.proxy.cut();
    await sleep(periodMs / 2);
    pair.proxy.heal();
    await sleep(periodMs / 2);
    cycles++;
  }
  const crashes = pair.crashes.length;
  console.log(
    `done: ${cycles} cycles, master ${rssMiB(pair.master.pid)} MiB, backup ${rssMiB(pair.backup.pid)} MiB, crashes ${crashes}`,
  );
} finally {
  await pair.tearDown(false);
}
