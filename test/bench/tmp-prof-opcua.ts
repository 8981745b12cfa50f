import fs from 'node:fs';
import { freePort, NodeProcess, tempDir } from '../integration/harness.ts';
import { addOperator, UaConnection } from '../integration/opcua-client.ts';
const ITEMS = Number(process.env['ITEMS'] ?? 10000);
const cli = process.argv[2]!;
const ticks = (pid: number) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
const threads = (pid: number) => Object.fromEntries(fs.readdirSync(`/proc/${pid}/task`).map((t) => { const st = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'); const name = st.slice(st.indexOf('(') + 1, st.indexOf(')')); const f = st.split(') ')[1]!.split(' '); return [`${t}:${name}`, Number(f[11]) + Number(f[12])]; }));
async function cpu(pid: number, s: number) { const b = ticks(pid); const tb = threads(pid); await new Promise((r) => setTimeout(r, s * 1000)); const ta = threads(pid); console.log(Object.entries(ta).map(([k, v]) => [k, ((v - (tb[k] ?? 0)) / s).toFixed(1)]).filter(([, v]) => Number(v) > 0.2).join(' ')); return ((ticks(pid) - b) / s).toFixed(1); }
async function cpuOld(pid: number, s: number) { const b = ticks(pid); await new Promise((r) => setTimeout(r, s * 1000)); return ((ticks(pid) - b) / s).toFixed(1); }
const opcuaPort = await freePort();
const dataDir = tempDir('opcua-load');
addOperator(dataDir);
if (process.env['PROF']) process.env['NODE_OPTIONS'] = `--cpu-prof --cpu-prof-dir=/tmp/prof`;
const node = new NodeProcess(dataDir, await freePort(), ['--opcua-port', String(opcuaPort), '--opcua-allow-insecure'], cli);
await node.start();
delete process.env['NODE_OPTIONS'];
await node.waitStatus((s) => s.node.status === 'active', 'node active');
const items = Array.from({ length: ITEMS }, (_, i) => ({ name: `load.${i}`, dataType: 'float', source: { kind: 'simulator', waveform: 'random', periodMs: 1000 } }));
for (let i = 0; i < ITEMS; i += 1000) { const r = await node.api('POST', '/api/config/tags', { items: items.slice(i, i + 1000) }); if (r.status !== 200) console.log(r); }
await node.waitStatus((s) => s.opcua?.state === 'running', 'OPC UA running', 60_000);
const pid = node.child!.pid!;
await new Promise((r) => setTimeout(r, 3000));
console.log('no client', await cpu(pid, 10));
const c = await UaConnection.open(`opc.tcp://127.0.0.1:${opcuaPort}`);
let n = 0;
await c.subscribe(Array.from({ length: ITEMS }, (_, i) => c.tagId(`load.${i}`)), 1000, () => n++);
await new Promise((r) => setTimeout(r, 3000));
const n0 = n;
console.log('client', await cpu(pid, Number(process.env['SECS'] ?? 10)), 'values/s', (n - n0) / Number(process.env['SECS'] ?? 10));
await c.close();
await node.kill('SIGTERM');
process.exit(0);
