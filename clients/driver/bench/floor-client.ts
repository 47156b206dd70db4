// The cheapest closed-loop client we know how to write on node:net, run beside the driver in its
// bench as the floor of any Node load generator on this machine: sockets read into one shared
// buffer (onread) and write their one frame straight to their handle uncopied (net-direct writeLent),
// like the driver's, but each reply is checked only for its length prefix and nothing is recorded
// (no seq, no send time, no body check, no histogram). What the driver costs above it is its own;
// what this costs above the C client is node's. Prints one JSON line with the C client's fields:
// messages, messagesPerSecond, cpuSeconds.
// Run: tsx bench/floor-client.ts --port P [--connections 100] [--size 64] [--duration 5] [--warmup 1]
import { writeLent } from '@c1m/net-direct';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    connections: { type: 'string', default: '100' },
    size: { type: 'string', default: '64' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
  },
});
const port = Number(values.port);
const connections = Number(values.connections);
const size = Number(values.size);
const durationS = Number(values.duration);
const warmupS = Number(values.warmup);
if (!Number.isInteger(port) || port <= 0 || !(connections > 0) || !(size >= 12) || !(durationS > 0)) {
  console.error('usage: floor-client --port P [--connections N] [--size B>=12] [--duration S] [--warmup S]');
  process.exit(2);
}

const frame = Buffer.alloc(4 + size, 0x5a);
frame.writeUInt32BE(size, 0);
const readBuffer = Buffer.allocUnsafe(64 * 1024);
let messages = 0;
let have = 0;
/** `partial`: bytes of a reply received so far. */
type FloorSocket = net.Socket & { partial: number };
const sockets: FloorSocket[] = [];

/** Counts whole replies (a read may hold part of one) and sends one request per reply. */
function onRead(this: FloorSocket, nread: number): void {
  let bytes = this.partial + nread;
  while (bytes >= frame.length) {
    bytes -= frame.length;
    messages++;
    writeLent(this, frame);
  }
  this.partial = bytes;
}

const deadline = setTimeout(() => {
  console.error(`floor-client: ${have} of ${connections} connected after 10 s`);
  process.exit(1);
}, 10_000);

for (let i = 0; i < connections; i++) {
  const options = { onread: { buffer: readBuffer, callback: onRead } } as net.SocketConstructorOpts;
  const socket = Object.assign(new net.Socket(options), { partial: 0 });
  sockets.push(socket);
  socket.on('error', (err) => {
    console.error(`floor-client: ${err.message}`);
    process.exit(1);
  });
  socket.connect({ port, host: values.host, noDelay: true }, () => {
    if (++have === connections) start();
  });
}

function start(): void {
  clearTimeout(deadline);
  for (const socket of sockets) writeLent(socket, frame);
  setTimeout(() => {
    const from = messages;
    const cpuFrom = process.cpuUsage();
    const t0 = performance.now();
    setTimeout(() => {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpuFrom);
      const counted = messages - from;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      console.log(JSON.stringify({ messages: counted, messagesPerSecond: counted / seconds, cpuSeconds, seconds }));
      process.exit(0);
    }, durationS * 1000);
  }, warmupS * 1000);
}
