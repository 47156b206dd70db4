// Codec benchmark (not a test): frames/s and MB/s of the TCP frame encoder/decoder and of the
// client WebSocket encoder / server-frame decoder, for 64 B and 1 KiB bodies; decoders are fed
// both whole frames (64 KiB chunks cut at frame boundaries) and split frames (every frame cut in
// two, the worst case: each one is reassembled); then the idle heap bytes of one decoder.
// Prints a table and writes JSON.
//   pnpm --filter @c1m/protocol bench [-- --json path] [--rounds 5] [--round-ms 400]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  FrameDecoder,
  OPCODE_BINARY,
  ServerFrameDecoder,
  clientFrameBytes,
  encodeClientFrame,
  encodeClientFrameInto,
  encodeFrame,
  makeBody,
} from '../src/index.ts';
import { captureEnv } from '@c1m/results';
import { heapBytesPerInstance } from './footprint.ts';
import { measure, type Rate } from './measure.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_JSON = 'results/bench/protocol-codec.json';
/** Frames per batch: large enough that loop overhead vanishes, small enough to stay in cache. */
const FRAMES_PER_BATCH = 2048;

interface CaseResult extends Rate {
  name: string;
  bodyBytes: number;
  wireBytesPerFrame: number;
  wireMegabytesPerSecond: number;
  bodyMegabytesPerSecond: number;
}

/** An unmasked server frame with FIN set (bench-local: the package has no server-side encoder). */
function serverFrame(body: Buffer): Buffer {
  const head =
    body.length < 126
      ? Buffer.from([0x82, body.length])
      : Buffer.from([0x82, 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, body]);
}

/** Cuts the concatenated frames into chunks of about 64 KiB that end on frame boundaries. */
function wholeChunks(frames: Buffer[]): Buffer[] {
  const chunks: Buffer[] = [];
  let group: Buffer[] = [];
  let bytes = 0;
  for (const f of frames) {
    if (bytes + f.length > 64 * 1024 && group.length > 0) {
      chunks.push(Buffer.concat(group));
      group = [];
      bytes = 0;
    }
    group.push(f);
    bytes += f.length;
  }
  if (group.length > 0) chunks.push(Buffer.concat(group));
  return chunks;
}

/** Cuts the stream at the middle of every frame, so no frame ever arrives whole. */
function splitChunks(frames: Buffer[]): Buffer[] {
  const stream = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  let from = 0;
  let frameStart = 0;
  for (const f of frames) {
    const mid = frameStart + (f.length >> 1);
    chunks.push(stream.subarray(from, mid));
    from = mid;
    frameStart += f.length;
  }
  chunks.push(stream.subarray(from));
  return chunks;
}

function main(): void {
  // pnpm forwards the `--` that separates its own flags from the script's: drop it.
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift();
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string', default: DEFAULT_JSON },
      rounds: { type: 'string', default: '5' },
      'round-ms': { type: 'string', default: '400' },
    },
  });
  const rounds = Number(values.rounds);
  const roundMs = Number(values['round-ms']);
  if (!(rounds >= 1 && roundMs > 0)) throw new Error('--rounds must be >= 1 and --round-ms > 0');
  // A path given by the user is relative to where they ran pnpm; the default is relative to the repo.
  const jsonPath =
    values.json === DEFAULT_JSON
      ? resolve(REPO_ROOT, DEFAULT_JSON)
      : resolve(process.env.INIT_CWD ?? process.cwd(), values.json);

  const results: CaseResult[] = [];
  let sink = 0;
  const run = (name: string, bodyBytes: number, wireBytesPerFrame: number, batch: () => number): void => {
    const rate = measure(batch, rounds, roundMs, 300);
    const result: CaseResult = {
      name,
      bodyBytes,
      wireBytesPerFrame,
      ...rate,
      wireMegabytesPerSecond: Number(((rate.framesPerSecond * wireBytesPerFrame) / 1e6).toFixed(1)),
      bodyMegabytesPerSecond: Number(((rate.framesPerSecond * bodyBytes) / 1e6).toFixed(1)),
    };
    results.push(result);
    console.log(
      `${name.padEnd(36)} ${String(bodyBytes).padStart(5)} ` +
        `B ${result.framesPerSecond.toLocaleString('en-US').padStart(12)} frames/s ` +
        `(${result.framesPerSecondMin.toLocaleString('en-US')}-${result.framesPerSecondMax.toLocaleString('en-US')}) ` +
        `${result.wireMegabytesPerSecond.toFixed(1).padStart(8)} MB/s wire`,
    );
  };

  console.log(
    `${'case'.padEnd(36)} ${'body'.padStart(7)} ${'median'.padStart(12)} frames/s (min-max over ${rounds} rounds) MB/s`,
  );
  for (const size of [64, 1024]) {
    const bodies = Array.from({ length: FRAMES_PER_BATCH }, (_, i) => makeBody(i, BigInt(i), size - 12));
    const tcpFrames = bodies.map((b) => encodeFrame(b));
    const tcpWire = tcpFrames[0]!.length;
    run('tcp encodeFrame', size, tcpWire, () => {
      for (const b of bodies) sink += encodeFrame(b).length;
      return bodies.length;
    });
    const onFrame = (b: Buffer): void => {
      sink += b.length;
    };
    const tcpWhole = wholeChunks(tcpFrames);
    const tcpSplit = splitChunks(tcpFrames);
    run('tcp FrameDecoder whole chunks', size, tcpWire, () => {
      const d = new FrameDecoder(1 << 20, onFrame);
      for (const c of tcpWhole) d.push(c);
      return bodies.length;
    });
    run('tcp FrameDecoder split frames', size, tcpWire, () => {
      const d = new FrameDecoder(1 << 20, onFrame);
      for (const c of tcpSplit) d.push(c);
      return bodies.length;
    });

    const wsWire = clientFrameBytes(size);
    run('ws encodeClientFrame (alloc)', size, wsWire, () => {
      for (const b of bodies) sink += encodeClientFrame(OPCODE_BINARY, b).length;
      return bodies.length;
    });
    const target = Buffer.allocUnsafe(wsWire * bodies.length);
    run('ws encodeClientFrameInto (no alloc)', size, wsWire, () => {
      let at = 0;
      for (const b of bodies) at = encodeClientFrameInto(target, at, OPCODE_BINARY, b);
      sink += at;
      return bodies.length;
    });
    const serverFrames = bodies.map(serverFrame);
    const serverWire = serverFrames[0]!.length;
    const handlers = {
      onMessage: (_opcode: 1 | 2, payload: Buffer) => onFrame(payload),
      onPing: onFrame,
      onPong: onFrame,
      onClose: () => {},
    };
    const wsWhole = wholeChunks(serverFrames);
    const wsSplit = splitChunks(serverFrames);
    run('ws ServerFrameDecoder whole chunks', size, serverWire, () => {
      const d = new ServerFrameDecoder(1 << 20, handlers);
      for (const c of wsWhole) d.push(c);
      return bodies.length;
    });
    run('ws ServerFrameDecoder split frames', size, serverWire, () => {
      const d = new ServerFrameDecoder(1 << 20, handlers);
      for (const c of wsSplit) d.push(c);
      return bodies.length;
    });
  }
  if (sink === 0) throw new Error('benchmark did no work');

  // Idle decoder state, as held per connection (handlers shared, as a driver shard would share them).
  const sharedHandlers = { onMessage: () => {}, onPing: () => {}, onPong: () => {}, onClose: () => {} };
  const onAnyFrame = (): void => {};
  const footprint = {
    frameDecoderHeapBytes: heapBytesPerInstance(() => new FrameDecoder(1 << 20, onAnyFrame)),
    serverFrameDecoderHeapBytes: heapBytesPerInstance(() => new ServerFrameDecoder(1 << 20, sharedHandlers)),
  };
  console.log(
    `\nidle heap per instance: FrameDecoder ${footprint.frameDecoderHeapBytes} B, ` +
      `ServerFrameDecoder ${footprint.serverFrameDecoderHeapBytes} B`,
  );

  mkdirSync(dirname(jsonPath), { recursive: true });
  const output = { benchmark: 'protocol-codec', env: captureEnv(), rounds, roundMs, results, footprint };
  writeFileSync(jsonPath, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nwrote ${jsonPath}`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
