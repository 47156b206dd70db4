// Samples a running case about once per interval: the server's process tree (RSS, CPU), the
// driver's, the server's /stats, the machine's CPU steal and busy share, and the kernel's TCP
// socket counts. Ticks never overlap; stop() waits for the one in flight.
import { type ProcessTreeSample, sampleProcessTree } from '@c1m/results';
import type { CaseSample, SampledTree, ServerStatsSnapshot } from '../model/case-result.ts';
import { cpuBetween, readCpuTimes, readSockstat } from '../sys/proc.ts';

export interface SamplerSources {
  serverPid: number;
  /** The load process, once started. */
  driverPid(): number | undefined;
  stats(): Promise<ServerStatsSnapshot | undefined>;
}

function tree(t: ProcessTreeSample): SampledTree {
  return {
    rssBytes: t.rssBytes,
    cpuSeconds: t.cpuSeconds,
    systemCpuSeconds: t.systemCpuSeconds,
    processes: t.pids.length,
  };
}

/** Takes one sample now; `since` is the CPU reading the steal share is measured from. */
export async function takeSample(
  src: SamplerSources,
  t0: number,
  since: ReturnType<typeof readCpuTimes>,
): Promise<{ sample: CaseSample; cpu: ReturnType<typeof readCpuTimes> }> {
  const stats = await src.stats();
  const server = sampleProcessTree(src.serverPid);
  const driverPid = src.driverPid();
  const driver = driverPid !== undefined ? sampleProcessTree(driverPid) : undefined;
  const cpu = readCpuTimes();
  const { stealPercent, busyPercent } = cpuBetween(since, cpu);
  const sock = readSockstat();
  return {
    cpu,
    sample: {
      atSeconds: (performance.now() - t0) / 1000,
      server: tree(server),
      ...(driver && driver.pids.length > 0 ? { driver: tree(driver) } : {}),
      ...(stats ? { stats } : {}),
      stealPercent,
      busyPercent,
      tcpInuse: sock.inuse,
      timeWait: sock.tw,
    },
  };
}

/** A periodic sampler; `samples` grows until stop(). */
export class Sampler {
  readonly samples: CaseSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private cpu = readCpuTimes();
  private stopped = false;

  constructor(
    private readonly src: SamplerSources,
    private readonly intervalMs: number,
    private readonly t0: number,
  ) {}

  /** Takes a sample now (also used for the bookend samples before and after the load). */
  async sampleNow(): Promise<CaseSample> {
    await this.inFlight;
    const { sample, cpu } = await takeSample(this.src, this.t0, this.cpu);
    this.cpu = cpu;
    this.samples.push(sample);
    return sample;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.inFlight = this.sampleNow().then(
        () => undefined,
        () => undefined,
      );
      void this.inFlight.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }
}
