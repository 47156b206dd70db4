// Client WebSocket framing without sockets: the masked encoder checked by an independent parser
// written here from RFC 6455, the server-frame decoder fed by an independent frame builder under
// arbitrary chunking, fragmentation and interleaved control frames, every malformed server frame,
// and the upgrade handshake.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  ServerFrameDecoder,
  UpgradeResponseParser,
  buildUpgradeRequest,
  clientFrameBytes,
  clientFrameHeaderBytes,
  encodeClientClose,
  encodeClientFrame,
  encodeClientFrameInto,
  makeWsKey,
  maskPayloadInPlace,
  writeClientFrameHeader,
  wsAcceptFor,
} from '../src/index.ts';
import { cutPoints, splitAt } from './chunking.ts';
import { codeOf } from './code-of.ts';

/** Parses one client frame straight from RFC 6455 §5.2 and unmasks its payload. */
function parseClientFrame(frame: Buffer): {
  fin: boolean;
  opcode: number;
  mask: Buffer;
  payload: Buffer;
  size: number;
} {
  const fin = (frame[0]! & 0x80) !== 0;
  expect(frame[0]! & 0x70).toBe(0);
  expect(frame[1]! & 0x80).toBe(0x80);
  let len = frame[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    len = Number(frame.readBigUInt64BE(2));
    at = 10;
  }
  const mask = frame.subarray(at, at + 4);
  const payload = Buffer.alloc(len);
  for (let i = 0; i < len; i++) payload[i] = frame[at + 4 + i]! ^ mask[i % 4]!;
  return { fin, opcode: frame[0]! & 0x0f, mask: Buffer.from(mask), payload, size: at + 4 + len };
}

interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload: Uint8Array;
  masked?: boolean;
  /** Force a length encoding: 7, 16 or 64 bits. */
  lengthBits?: 7 | 16 | 64;
  /** Claimed length, when it should differ from the payload's. */
  claimed?: number | bigint;
}

/** Builds a server frame from RFC 6455 §5.2, optionally breaking it on purpose. */
function serverFrame(spec: FrameSpec): Buffer {
  const n = spec.claimed ?? spec.payload.length;
  const bits = spec.lengthBits ?? (Number(n) < 126 ? 7 : Number(n) < 0x10000 ? 16 : 64);
  const head = Buffer.alloc(bits === 7 ? 2 : bits === 16 ? 4 : 10);
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  head[1] = (spec.masked ? 0x80 : 0) | (bits === 7 ? Number(n) : bits === 16 ? 126 : 127);
  if (bits === 16) head.writeUInt16BE(Number(n), 2);
  if (bits === 64) head.writeBigUInt64BE(BigInt(n), 2);
  const mask = spec.masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  return Buffer.concat([head, mask, spec.payload]);
}

type Event = [string, ...unknown[]];

function recorder(maxMessage = 1 << 20): { decoder: ServerFrameDecoder; events: Event[] } {
  const events: Event[] = [];
  const decoder = new ServerFrameDecoder(maxMessage, {
    onMessage: (opcode, payload) => events.push(['message', opcode, Buffer.from(payload).toString('hex')]),
    onPing: (payload) => events.push(['ping', Buffer.from(payload).toString('hex')]),
    onPong: (payload) => events.push(['pong', Buffer.from(payload).toString('hex')]),
    onClose: (code, reason) => events.push(['close', code, reason]),
  });
  return { decoder, events };
}

describe('encodeClientFrame', () => {
  test.each([0, 1, 125, 126, 65535, 65536, 70000])(
    'a %i-byte payload round-trips through an independent unmasking',
    (n) => {
      const payload = Buffer.alloc(n);
      for (let i = 0; i < n; i++) payload[i] = (i * 7) & 0xff;
      const frame = encodeClientFrame(OPCODE_BINARY, payload);
      expect(frame.length).toBe(clientFrameBytes(n));
      const parsed = parseClientFrame(frame);
      expect(parsed).toMatchObject({ fin: true, opcode: OPCODE_BINARY, size: frame.length });
      expect(parsed.payload.equals(payload)).toBe(true);
    },
  );

  test('property: any opcode, payload and mask key round-trip', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(OPCODE_TEXT, OPCODE_BINARY, OPCODE_PING, OPCODE_PONG, OPCODE_CLOSE),
        fc.uint8Array({ maxLength: 1000 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (opcode, payload, mask) => {
          const parsed = parseClientFrame(encodeClientFrame(opcode, payload, mask));
          expect(parsed.opcode).toBe(opcode);
          expect(parsed.mask.equals(Buffer.from(mask))).toBe(true);
          expect(parsed.payload.equals(Buffer.from(payload))).toBe(true);
        },
      ),
    );
  });

  test('a known frame: "Hello" with mask 37 fa 21 3d (RFC 6455 §5.7)', () => {
    const frame = encodeClientFrame(OPCODE_TEXT, Buffer.from('Hello'), Buffer.from([0x37, 0xfa, 0x21, 0x3d]));
    expect(frame.toString('hex')).toBe('818537fa213d7f9f4d5158');
  });

  test('random masks differ between frames', () => {
    const masks = new Set(
      Array.from({ length: 200 }, () => parseClientFrame(encodeClientFrame(2, Buffer.alloc(1))).mask.toString('hex')),
    );
    expect(masks.size).toBeGreaterThan(190);
  });

  test('encodeClientFrameInto writes at an offset, and in place when the payload already sits there', () => {
    const payload = Buffer.from('in-place payload');
    const target = Buffer.alloc(3 + clientFrameBytes(payload.length));
    const headerBytes = clientFrameHeaderBytes(payload.length);
    payload.copy(target, 3 + headerBytes);
    const end = encodeClientFrameInto(
      target,
      3,
      OPCODE_BINARY,
      target.subarray(3 + headerBytes, 3 + headerBytes + payload.length),
    );
    expect(end).toBe(target.length);
    expect(parseClientFrame(target.subarray(3)).payload.equals(payload)).toBe(true);
  });

  test('property: masking is right at every memory alignment, copied or in place (byte and word paths)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat({ max: 7 }), fc.boolean(), (bytes, offset, inPlace) => {
        const payload = Buffer.from(bytes);
        const target = Buffer.alloc(offset + clientFrameBytes(payload.length));
        let source: Uint8Array = payload;
        if (inPlace) {
          const at = offset + clientFrameHeaderBytes(payload.length);
          payload.copy(target, at);
          source = target.subarray(at, at + payload.length);
        }
        encodeClientFrameInto(target, offset, OPCODE_BINARY, source);
        expect(parseClientFrame(target.subarray(offset)).payload.equals(payload)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('writeClientFrameHeader + maskPayloadInPlace build a frame around a body written in place', () => {
    const n = 300;
    const frame = Buffer.alloc(clientFrameBytes(n));
    const at = writeClientFrameHeader(frame, 0, OPCODE_BINARY, n);
    frame.fill(0xab, at);
    maskPayloadInPlace(frame, 0, n);
    expect(parseClientFrame(frame).payload.equals(Buffer.alloc(n, 0xab))).toBe(true);
  });

  test('encodeClientClose carries code and reason', () => {
    const parsed = parseClientFrame(encodeClientClose(1000, 'done'));
    expect(parsed.opcode).toBe(OPCODE_CLOSE);
    expect(parsed.payload.readUInt16BE(0)).toBe(1000);
    expect(parsed.payload.subarray(2).toString()).toBe('done');
    expect(() => encodeClientClose(1000, 'x'.repeat(124))).toThrow(RangeError);
  });
});

/** A message the server sends, cut into fragments, possibly with control frames between them. */
const serverMessage = fc
  .record({
    opcode: fc.constantFrom(OPCODE_TEXT, OPCODE_BINARY),
    bytes: fc.oneof(
      fc.uint8Array({ maxLength: 11 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ minLength: 126, maxLength: 70000 }),
    ),
    text: fc.string({ unit: 'binary', maxLength: 100 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    pings: fc.array(fc.uint8Array({ maxLength: 125 }), { maxLength: 2 }),
  })
  .map(({ opcode, bytes, text, cuts, pings }) => {
    const payload = opcode === OPCODE_TEXT ? Buffer.from(text, 'utf8') : Buffer.from(bytes);
    const parts = splitAt(payload, cuts);
    const frames: Buffer[] = [];
    const events: Event[] = [];
    parts.forEach((part, i) => {
      frames.push(serverFrame({ fin: i === parts.length - 1, opcode: i === 0 ? opcode : 0, payload: part }));
      const ping = pings[i];
      if (ping !== undefined && i < parts.length - 1) {
        frames.push(serverFrame({ opcode: i % 2 === 0 ? OPCODE_PING : OPCODE_PONG, payload: ping }));
        events.push([i % 2 === 0 ? 'ping' : 'pong', Buffer.from(ping).toString('hex')]);
      }
    });
    events.push(['message', opcode, payload.toString('hex')]);
    return { frames, events };
  });

describe('ServerFrameDecoder', () => {
  test('property: fragmented messages with interleaved control frames, split at arbitrary points', () => {
    fc.assert(
      fc.property(fc.array(serverMessage, { maxLength: 8 }), cutPoints, (messages, cuts) => {
        const { decoder, events } = recorder();
        const stream = Buffer.concat([
          ...messages.flatMap((m) => m.frames),
          serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.from([0x03, 0xe8, 0x6f, 0x6b]) }),
        ]);
        for (const chunk of splitAt(stream, cuts)) decoder.push(chunk);
        expect(events).toEqual([...messages.flatMap((m) => m.events), ['close', 1000, 'ok']]);
        expect(decoder.closed).toBe(true);
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  test('is idle only between frames, outside a fragmented message, before a close', () => {
    const { decoder } = recorder();
    expect(decoder.idle).toBe(true);
    const frame = serverFrame({ opcode: 2, payload: Buffer.from('abcdef') });
    decoder.push(frame.subarray(0, 1)); // half a header
    expect(decoder.idle).toBe(false);
    decoder.push(frame.subarray(1, 4)); // header done, half the payload
    expect(decoder.idle).toBe(false);
    decoder.push(frame.subarray(4));
    expect(decoder.idle).toBe(true);
    decoder.push(serverFrame({ opcode: 2, payload: Buffer.from('a'), fin: false })); // a message left open
    expect(decoder.idle).toBe(false);
    decoder.push(serverFrame({ opcode: 0, payload: Buffer.from('b') }));
    expect(decoder.idle).toBe(true);
    decoder.push(serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.from([0x03, 0xe8]) }));
    expect(decoder.idle).toBe(false);
  });

  test('every length encoding decodes, including non-minimal ones', () => {
    const { decoder, events } = recorder();
    const p = Buffer.from('abc');
    decoder.push(
      Buffer.concat([
        serverFrame({ opcode: 2, payload: p }),
        serverFrame({ opcode: 2, payload: p, lengthBits: 16 }),
        serverFrame({ opcode: 2, payload: p, lengthBits: 64 }),
      ]),
    );
    expect(events).toEqual([
      ['message', 2, '616263'],
      ['message', 2, '616263'],
      ['message', 2, '616263'],
    ]);
  });

  test('a frame that arrives whole inside a chunk is handed out as a view of the chunk', () => {
    const chunk = Buffer.concat([
      serverFrame({ opcode: 2, payload: Buffer.from('one') }),
      serverFrame({ opcode: 9, payload: Buffer.from('p') }),
    ]);
    const seen: Buffer[] = [];
    new ServerFrameDecoder(100, {
      onMessage: (_o, b) => seen.push(b),
      onPing: (b) => seen.push(b),
      onPong: () => {},
      onClose: () => {},
    }).push(chunk);
    expect(seen.map((b) => b.buffer === chunk.buffer)).toEqual([true, true]);
  });

  test('a close frame without a payload reports 1005 and stops decoding; later bytes are ignored', () => {
    const { decoder, events } = recorder();
    decoder.push(
      Buffer.concat([
        serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.alloc(0) }),
        serverFrame({ opcode: 2, payload: Buffer.from('late') }),
      ]),
    );
    decoder.push(serverFrame({ opcode: 2, payload: Buffer.from('later') }));
    expect(events).toEqual([['close', 1005, '']]);
  });

  test('a message exactly at maxMessage is accepted, also when fragmented', () => {
    const { decoder, events } = recorder(10);
    decoder.push(serverFrame({ opcode: 2, payload: Buffer.alloc(10) }));
    decoder.push(
      Buffer.concat([
        serverFrame({ fin: false, opcode: 2, payload: Buffer.alloc(4) }),
        serverFrame({ opcode: 0, payload: Buffer.alloc(6) }),
      ]),
    );
    expect(events).toHaveLength(2);
  });

  const malformed: Array<[string, Buffer, string]> = [
    ['a masked server frame', serverFrame({ opcode: 2, payload: Buffer.from('x'), masked: true }), 'C1M_WS_PROTOCOL'],
    ...[1, 2, 4].map((rsv): [string, Buffer, string] => [
      `RSV bits ${rsv}`,
      serverFrame({ rsv, opcode: 2, payload: Buffer.alloc(1) }),
      'C1M_WS_PROTOCOL',
    ]),
    ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((opcode): [string, Buffer, string] => [
      `reserved opcode ${opcode}`,
      serverFrame({ opcode, payload: Buffer.alloc(1) }),
      'C1M_WS_PROTOCOL',
    ]),
    [
      'a fragmented ping',
      serverFrame({ fin: false, opcode: OPCODE_PING, payload: Buffer.alloc(1) }),
      'C1M_WS_PROTOCOL',
    ],
    ['a 126-byte pong', serverFrame({ opcode: OPCODE_PONG, payload: Buffer.alloc(126) }), 'C1M_WS_PROTOCOL'],
    ['a 1-byte close payload', serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.from([3]) }), 'C1M_WS_PROTOCOL'],
    ...[0, 999, 1004, 1005, 1006, 1015, 2999, 5000].map((code): [string, Buffer, string] => [
      `close code ${code}`,
      serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.from([code >> 8, code & 0xff]) }),
      'C1M_WS_PROTOCOL',
    ]),
    [
      'a close reason that is not UTF-8',
      serverFrame({ opcode: OPCODE_CLOSE, payload: Buffer.from([0x03, 0xe8, 0xff]) }),
      'C1M_WS_INVALID_UTF8',
    ],
    ['a continuation without a message', serverFrame({ opcode: 0, payload: Buffer.alloc(1) }), 'C1M_WS_PROTOCOL'],
    [
      'a new message inside a fragmented one',
      Buffer.concat([
        serverFrame({ fin: false, opcode: 2, payload: Buffer.alloc(1) }),
        serverFrame({ opcode: 1, payload: Buffer.from('a') }),
      ]),
      'C1M_WS_PROTOCOL',
    ],
    [
      'a 64-bit length with the top bit set',
      serverFrame({ opcode: 2, payload: Buffer.alloc(0), claimed: 2n ** 63n }),
      'C1M_WS_PROTOCOL',
    ],
    [
      'invalid UTF-8 in a text message',
      serverFrame({ opcode: 1, payload: Buffer.from([0x61, 0xc3]) }),
      'C1M_WS_INVALID_UTF8',
    ],
    [
      'a code point split across fragments, never completed',
      Buffer.concat([
        serverFrame({ fin: false, opcode: 1, payload: Buffer.from([0xe2, 0x9c]) }),
        serverFrame({ opcode: 0, payload: Buffer.from('a') }),
      ]),
      'C1M_WS_INVALID_UTF8',
    ],
    [
      'a 7-bit message above maxMessage',
      serverFrame({ opcode: 2, payload: Buffer.alloc(101) }),
      'C1M_WS_FRAME_TOO_LARGE',
    ],
    [
      'a 16-bit length above maxMessage',
      serverFrame({ opcode: 2, payload: Buffer.alloc(0), claimed: 300 }),
      'C1M_WS_FRAME_TOO_LARGE',
    ],
    [
      'a 64-bit length above maxMessage',
      serverFrame({ opcode: 2, payload: Buffer.alloc(0), claimed: 2n ** 40n }),
      'C1M_WS_FRAME_TOO_LARGE',
    ],
    [
      'fragments that together pass maxMessage',
      Buffer.concat([
        serverFrame({ fin: false, opcode: 2, payload: Buffer.alloc(60) }),
        serverFrame({ opcode: 0, payload: Buffer.alloc(41) }),
      ]),
      'C1M_WS_FRAME_TOO_LARGE',
    ],
  ];

  test.each(malformed)(
    '%s throws %s, in one chunk and byte by byte, and the decoder stays failed',
    (_name, bytes, code) => {
      const whole = recorder(100);
      expect(codeOf(() => whole.decoder.push(bytes))).toBe(code);
      expect(codeOf(() => whole.decoder.push(serverFrame({ opcode: 2, payload: Buffer.from('ok') })))).toBe(code);
      expect(whole.events.filter((e) => e[0] === 'message' || e[0] === 'close')).toEqual([]);

      const bytewise = recorder(100);
      let thrown: string | undefined;
      for (let i = 0; i < bytes.length && thrown === undefined; i++)
        thrown = codeOf(() => bytewise.decoder.push(bytes.subarray(i, i + 1)));
      expect(thrown).toBe(code);
      expect(bytewise.decoder.bufferedBytes).toBe(0);
    },
  );

  test('an oversized length is rejected before its payload arrives, with the header split anywhere', () => {
    const header = serverFrame({ opcode: 2, payload: Buffer.alloc(0), claimed: 1_000_000 });
    for (let split = 1; split < header.length; split++) {
      const { decoder } = recorder(1000);
      decoder.push(header.subarray(0, split));
      expect(codeOf(() => decoder.push(header.subarray(split)))).toBe('C1M_WS_FRAME_TOO_LARGE');
    }
  });

  test('a handler error propagates to the caller and does not mark the decoder failed', () => {
    let calls = 0;
    const decoder = new ServerFrameDecoder(100, {
      onMessage: () => {
        calls++;
        if (calls === 1) throw new Error('app bug');
      },
      onPing: () => {},
      onPong: () => {},
      onClose: () => {},
    });
    expect(() => decoder.push(serverFrame({ opcode: 2, payload: Buffer.from('a') }))).toThrow('app bug');
    decoder.push(serverFrame({ opcode: 2, payload: Buffer.from('b') }));
    expect(calls).toBe(2);
  });
});

describe('upgrade handshake', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const okHead =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' +
    's3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

  test('the accept key matches RFC 6455 §1.3 and an independent SHA-1', () => {
    expect(wsAcceptFor(key)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const k = makeWsKey();
    expect(Buffer.from(k, 'base64')).toHaveLength(16);
    expect(wsAcceptFor(k)).toBe(createHash('sha1').update(`${k}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
  });

  test('the request is a GET with the version 13 headers', () => {
    expect(buildUpgradeRequest('127.0.0.1:9000', '/x', key).toString()).toBe(
      `GET /x HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nUpgrade: websocket\r\nConnection: Upgrade\r` +
        `\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(() => buildUpgradeRequest('h', 'no-slash', key)).toThrow(RangeError);
    expect(() => buildUpgradeRequest('h\r\nX: y', '/', key)).toThrow(RangeError);
  });

  test('property: a valid head split anywhere returns exactly the bytes that followed it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), cutPoints, (after, cuts) => {
        const parser = new UpgradeResponseParser(key);
        const stream = Buffer.concat([Buffer.from(okHead), after]);
        const chunks = splitAt(stream, cuts);
        let rest: Buffer | null = null;
        const tail: Buffer[] = [];
        for (const c of chunks) {
          if (rest === null) rest = parser.push(c);
          else tail.push(c);
        }
        expect(rest).not.toBeNull();
        expect(Buffer.concat([rest!, ...tail]).equals(Buffer.from(after))).toBe(true);
      }),
    );
  });

  test('header names and values are case-insensitive; Connection may list several tokens', () => {
    const head =
      'HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-accept: ' +
      's3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Other: 1\r\n\r\n';
    expect(new UpgradeResponseParser(key).push(Buffer.from(head))).toEqual(Buffer.alloc(0));
  });

  test.each([
    ['a 200 response', okHead.replace('101 Switching Protocols', '200 OK')],
    ['a garbage status line', 'FOO\r\n\r\n'],
    ['HTTP/1.0', okHead.replace('HTTP/1.1', 'HTTP/1.0')],
    ['a wrong accept key', okHead.replace('s3pP', 's3pQ')],
    ['no Upgrade header', okHead.replace('Upgrade: websocket\r\n', '')],
    ['no upgrade token in Connection', okHead.replace('Connection: Upgrade', 'Connection: close')],
    [
      'an extension never offered',
      okHead.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'),
    ],
    ['a subprotocol never offered', okHead.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: chat\r\n\r\n')],
    ['a header line without a colon', okHead.replace('\r\n\r\n', '\r\nbroken\r\n\r\n')],
  ])('%s fails with C1M_HTTP_UPGRADE', (_name, head) => {
    const parser = new UpgradeResponseParser(key);
    expect(codeOf(() => parser.push(Buffer.from(head)))).toBe('C1M_HTTP_UPGRADE');
    expect(codeOf(() => parser.push(Buffer.from(okHead)))).toBe('C1M_HTTP_UPGRADE');
  });

  test('a head that never ends is cut off at the size bound', () => {
    const parser = new UpgradeResponseParser(key, 1024);
    expect(parser.push(Buffer.from('HTTP/1.1 101 Switching Protocols\r\n'))).toBeNull();
    let code: string | undefined;
    for (let i = 0; i < 100 && code === undefined; i++)
      code = codeOf(() => parser.push(Buffer.from('X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n')));
    expect(code).toBe('C1M_HTTP_UPGRADE');
  });

  test('a complete head above the bound fails too', () => {
    const parser = new UpgradeResponseParser(key, 64);
    expect(codeOf(() => parser.push(Buffer.from(okHead)))).toBe('C1M_HTTP_UPGRADE');
  });
});
