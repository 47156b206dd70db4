// Failure causes: c1m's own codes and the operating system's errno names are told apart, and a
// real refused connect on loopback yields the errno Node reports.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { C1mError, ERROR_CODES, failureCause, isC1mErrorCode, isErrnoCause, REPLY_ERROR_CODES } from '../src/index.ts';

/** The error of a connect to a loopback port that was just closed (nothing listens there). */
async function refusedConnectError(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
}

describe('failure causes', () => {
  it('lists the driver’s causes among c1m’s codes and no errno there', () => {
    for (const code of [
      'C1M_WS_CLOSED',
      'C1M_CLIENT_ERROR',
      'C1M_REPLY_UNEXPECTED',
      'C1M_REPLY_LATE',
      ...REPLY_ERROR_CODES,
    ]) {
      expect(isC1mErrorCode(code)).toBe(true);
    }
    expect(ERROR_CODES.filter((c) => isErrnoCause(c))).toEqual([]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('takes the errno of a real refused connect', async () => {
    const err = await refusedConnectError();
    expect(failureCause(err)).toBe('ECONNREFUSED');
    expect(isC1mErrorCode('ECONNREFUSED')).toBe(false);
  });

  it('takes a C1mError’s code, and C1M_CLIENT_ERROR for an error without either', () => {
    expect(failureCause(new C1mError('C1M_WS_PROTOCOL', 'x'))).toBe('C1M_WS_PROTOCOL');
    expect(failureCause(new TypeError('bug'))).toBe('C1M_CLIENT_ERROR');
    expect(failureCause(Object.assign(new Error('ws'), { code: 'WS_ERR_INVALID_OPCODE' }))).toBe('C1M_CLIENT_ERROR');
    expect(failureCause(null)).toBe('C1M_CLIENT_ERROR');
  });
});
