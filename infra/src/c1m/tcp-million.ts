// Whether bench:c1m runs the prefork tcp million after the ws one: only if what it is predicted to take
// leaves the headroom free. The prediction starts from what the ws million took and adds what a node:net
// connection costs beyond a uWS one, measured on conn-per-socket tcp's ceiling case.
import { formatGib } from '../report/format.ts';
import type { C1mFigures } from './figures.ts';

/** The decision, with the note the run's summary keeps either way. */
export interface TcpMillionDecision {
  run: boolean;
  note: string;
}

/**
 * MemAvailable a prefork tcp million would take: what the ws million took (kernel, baselines and
 * all, counted once however many processes share a page), plus what a node:net connection costs
 * beyond a uWS one on each side, per connection. conn-per-socket tcp's costs stand in for
 * node:net (an upper bound: its coroutine per connection costs more than prefork's loop).
 */
export function predictTcpBytes(
  ws: C1mFigures,
  tcpCeiling: C1mFigures | undefined,
  connections: number,
): number | undefined {
  if (!tcpCeiling || ws.heldConnections === 0) return undefined;
  const wsTook = ws.memAvailableBytesBefore - ws.memAvailableBytesMin;
  const extraPerConnection =
    Math.max(0, tcpCeiling.serverBytesPerConnection - ws.serverBytesPerConnection) +
    Math.max(0, tcpCeiling.driverBytesPerConnection - ws.driverBytesPerConnection);
  return (wsTook / ws.heldConnections) * connections + extraPerConnection * connections;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** Runs the tcp million unless its prediction would eat into `headroomBytes` of `availableBytes`. */
export function decideTcpMillion(
  ws: C1mFigures | undefined,
  tcpCeiling: C1mFigures | undefined,
  connections: number,
  availableBytes: number,
  headroomBytes: number,
): TcpMillionDecision {
  const need = ws ? predictTcpBytes(ws, tcpCeiling, connections) : undefined;
  if (need === undefined)
    return {
      run: true,
      note:
        'prefork tcp ran without a memory prediction (no ws million or conn-per-socket tcp ceiling measured ' +
        "first); the load generator's ramp guard still applied",
    };
  // A prediction exists only with both cases measured.
  const [w, t] = [ws!, tcpCeiling!];
  if (need > availableBytes - headroomBytes)
    return {
      run: false,
      note:
        `prefork tcp at ${connections.toLocaleString('en-US')} skipped: ` +
        `predicted ${formatGib(need)} (what the ws million took, plus what a node:net connection costs beyond a ` +
        `uWS one: server ${kb(t.serverBytesPerConnection)} vs ${kb(w.serverBytesPerConnection)} KB, load ` +
        `generator ${kb(t.driverBytesPerConnection)} vs ${kb(w.driverBytesPerConnection)} KB) but ` +
        `${formatGib(availableBytes)} is available and ${formatGib(headroomBytes)} must stay free`,
    };
  return {
    run: true,
    note:
      `prefork tcp ran: predicted to take ${formatGib(need)} of the ${formatGib(availableBytes)} available (what ` +
      `the ws million took, plus node:net's extra cost per connection measured on conn-per-socket tcp, an upper ` +
      'bound)',
  };
}
