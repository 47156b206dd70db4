// The HTTP workloads' bodies and the client's response parser, on bytes split every way.
import { describe, expect, it } from 'vitest';
import {
  aesHttpBody,
  buildHttpRequest,
  HttpResponseParser,
  httpBodyBytes,
  isC1mError,
  isCorrectHttpBody,
  staticHttpBody,
} from '../src/index.ts';

function response(body: Buffer, extra = ''): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n`), body]);
}

describe('HTTP workloads', () => {
  it('static body is the io pattern from 0 and checks byte for byte', () => {
    const body = staticHttpBody(300);
    expect(body[0]).toBe(0);
    expect(body[250]).toBe(250);
    expect(body[251]).toBe(0);
    expect(isCorrectHttpBody('static', 300, body)).toBe(true);
    const bad = Buffer.from(body);
    bad[299] ^= 1;
    expect(isCorrectHttpBody('static', 300, bad)).toBe(false);
    expect(isCorrectHttpBody('static', 299, body)).toBe(false);
  });

  it('aes bodies decrypt to the static body, use a fresh IV each and are refused when altered', () => {
    const plain = staticHttpBody(1024);
    const a = aesHttpBody(plain);
    const b = aesHttpBody(plain);
    expect(a.length).toBe(httpBodyBytes('aes', 1024));
    expect(a.length).toBe(16 + 1040);
    expect(a.equals(b)).toBe(false);
    expect(isCorrectHttpBody('aes', 1024, a)).toBe(true);
    const tampered = Buffer.from(a);
    tampered[20] ^= 0x80;
    expect(isCorrectHttpBody('aes', 1024, tampered)).toBe(false);
    expect(isCorrectHttpBody('aes', 1024, plain)).toBe(false);
  });
});

describe('HttpResponseParser', () => {
  const seed = Number(process.env.C1M_TEST_SEED ?? Date.now() % 100000);

  it(`parses pipelined responses split at every byte boundary (seed ${seed})`, () => {
    const bodies = [staticHttpBody(10), Buffer.alloc(0), staticHttpBody(3000)];
    const stream = Buffer.concat([
      response(bodies[0]!),
      response(bodies[1]!, 'Connection: close\r\n'),
      response(bodies[2]!, 'X-A: b\r\n'),
    ]);
    let rng = seed || 1;
    for (let trial = 0; trial < 200; trial++) {
      const got: [number, Buffer, boolean][] = [];
      const parser = new HttpResponseParser(1 << 20, (status, body, close) =>
        got.push([status, Buffer.from(body), close]),
      );
      let at = 0;
      while (at < stream.length) {
        rng = (rng * 1103515245 + 12345) % 2147483648;
        const n = 1 + (rng % (trial < 20 ? 2 : 400));
        parser.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(
        got.map((g) => g[1].length),
        `seed ${seed}`,
      ).toEqual([10, 0, 3000]);
      expect(got[1]![2]).toBe(true);
      expect(got[0]![2]).toBe(false);
      expect(got[2]![1].equals(bodies[2]!)).toBe(true);
      expect(parser.idle).toBe(true);
    }
  });

  it('refuses a malformed status line, a missing length, chunked coding and an oversized head or body', () => {
    const cases = [
      Buffer.from('HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
      Buffer.from('HTTP/1.1 200 OK\r\n\r\n'),
      Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n'),
      Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(9000)}\r\nContent-Length: 0\r\n\r\n`),
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n'),
    ];
    for (const bytes of cases) {
      const parser = new HttpResponseParser(1000, () => {});
      expect(() => parser.push(bytes)).toThrow(/C1M_HTTP_RESPONSE/);
      try {
        parser.push(Buffer.from('x'));
        expect.unreachable('a failed parser must keep failing');
      } catch (err) {
        expect(isC1mError(err, 'C1M_HTTP_RESPONSE')).toBe(true);
      }
    }
  });

  it('builds requests with and without keep-alive', () => {
    expect(buildHttpRequest('127.0.0.1:80', '/', true).toString()).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n');
    expect(buildHttpRequest('h:1', '/x', false).toString()).toContain('Connection: close\r\n\r\n');
  });
});
