/**
 * Lightweight stand-ins for the fleet bench (run as its own process, so the monitor's CPU is counted alone):
 * PAIRS pairs of HTTP servers that speak what the monitor reads of a node: `GET /api/status`, `/api/events`,
 * `/api/certificates`, `/api/alarms` and the live socket `/api/live` (token first, status at once, on change
 * and every second). They are not Tandem nodes: no redundancy, no database. Prints `{"ports":[…]}` when up;
 * a line `flip N` on stdin swaps pair N's roles (master ↔ backup running) and pushes both statuses at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';

const PAIRS = Number(process.argv[2] ?? 100);
const TOKEN = process.argv[3] ?? 'bench-token';
const startedAt = new Date().toISOString();

interface StandIn {
  readonly mode: 'master' | 'backup';
  readonly pair: number;
  active: boolean;
  readonly sockets: Set<WebSocket>;
}

function statusOf(node: StandIn): object {
  return {
    node: {
      name: `pair-${node.pair}`,
      nodeId: `${node.pair}-${node.mode}`,
      mode: node.mode,
      status: node.active ? 'active' : 'standby',
      standbyLevel: 'warm',
      epoch: 1,
      startedAt,
    },
    peer: {
      link: 'connected',
      linkReason: null,
      mode: node.mode === 'master' ? 'backup' : 'master',
      status: node.active ? 'standby' : 'active',
      nodeId: `${node.pair}-${node.mode === 'master' ? 'backup' : 'master'}`,
      rttMs: 1,
    },
    licenseMatch: 'match',
    licenseDifferences: [],
    misconfiguration: null,
    settingsDifferences: [],
    clockSkew: null,
    sync: { eventsReplicated: 0, configSeq: 1, peerConfigSeq: 1, runtimeLagMs: 2, conflicts: 0 },
  };
}

function push(node: StandIn): void {
  const text = JSON.stringify({ type: 'status', status: statusOf(node) });
  for (const ws of node.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
}

async function serve(node: StandIn): Promise<number> {
  const server = http.createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    const route = (request.url ?? '').split('?')[0];
    const body = route === '/api/status' ? statusOf(node) : [];
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const wss = new WebSocketServer({ server, path: '/api/live' });
  wss.on('connection', (ws) => {
    ws.once('message', (data) => {
      const given = (JSON.parse((data as Buffer).toString('utf8')) as { token?: string }).token;
      if (given !== TOKEN) return ws.close(4401, 'missing or wrong token');
      node.sockets.add(ws);
      push(node);
    });
    ws.on('close', () => node.sockets.delete(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const nodes: StandIn[] = [];
for (let pair = 0; pair < PAIRS; pair++)
  for (const mode of ['master', 'backup'] as const)
    nodes.push({ mode, pair, active: mode === 'master', sockets: new Set() });
const ports = await Promise.all(nodes.map(serve));
// Like a node's live socket: the status once a second, so a silent socket means a dead node.
setInterval(() => nodes.forEach(push), 1000);
console.log(JSON.stringify({ ports }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const match = /^flip (\d+)$/.exec(line.trim());
  if (!match) return;
  const pair = Number(match[1]);
  for (const node of nodes.filter((n) => n.pair === pair)) {
    node.active = !node.active;
    push(node);
  }
});
