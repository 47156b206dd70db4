// The environment a result was measured in (TechEmpower-style), recorded with every result file.

/** Where and with what a figure was measured. */
export interface EnvInfo {
  date: string;
  hostname: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  /** Native uWS build in use (package@version), when the process loaded one. */
  uws?: string;
  /** Versions of the c1m-relevant dependencies. */
  dependencies: Record<string, string>;
  /** sysctls that shape connection limits (values as the kernel prints them). */
  sysctls: Record<string, string>;
  rlimitNofile: { soft: number; hard: number };
  gitCommit: string;
}
