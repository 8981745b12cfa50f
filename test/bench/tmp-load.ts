import { opcuaBench } from './opcua-bench.ts';
const rows = await opcuaBench(process.argv[2]!);
console.table(rows);
process.exit(0);
