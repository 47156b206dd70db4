// What an http shard sends: the one GET request of the run (Host from the first target,
// `Connection: close` when keep-alive is off) and the --body-size a correct response has.
import { buildHttpRequest } from '@c1m/protocol';
import type { Options } from '../options/options.ts';
import type { RequestSpec } from '../ipc/messages.ts';

/** The http part of a shard's RequestSpec. */
export function httpRequestSpec(options: Options): NonNullable<RequestSpec['http']> {
  const target = options.targets[0]!;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const request = buildHttpRequest(`${host}:${target.port}`, target.path, options.keepAlive === 'on');
  return { request: request.toString('latin1'), bodySize: options.bodySize, keepAlive: options.keepAlive === 'on' };
}
