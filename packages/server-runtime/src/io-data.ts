// The io workload's data: a temporary file of the protocol's periodic pattern (byte p = p mod 251),
// read with real asynchronous file I/O (libuv's thread pool) for every request.
import { open, mkdtemp, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BODY_HEADER_BYTES, fillIoPattern, IO_PATTERN_PERIOD, type IoRequest } from '@c1m/protocol';

/** An open data file; `read` fills a reply body's payload from it. */
export class IoDataFile {
  private constructor(
    private readonly handle: FileHandle,
    private readonly dir: string,
    /** File size, a multiple of the pattern period so wrap-around keeps the pattern. */
    readonly sizeBytes: number,
  ) {}

  /** Creates the file in a fresh temporary directory. */
  static async create(requestedBytes: number): Promise<IoDataFile> {
    const size = Math.ceil(requestedBytes / IO_PATTERN_PERIOD) * IO_PATTERN_PERIOD;
    const dir = await mkdtemp(join(tmpdir(), 'c1m-io-'));
    const handle = await open(join(dir, 'data.bin'), 'w+');
    const block = Buffer.allocUnsafe(IO_PATTERN_PERIOD * 1024);
    fillIoPattern(block, 0);
    for (let at = 0; at < size; at += block.length) {
      await handle.write(block, 0, Math.min(block.length, size - at), at);
    }
    return new IoDataFile(handle, dir, size);
  }

  /** Reads the requested range (wrapping at the end of the file) into a reply after `header`. */
  async reply(header: Uint8Array, request: IoRequest): Promise<Buffer> {
    const reply = Buffer.allocUnsafe(BODY_HEADER_BYTES + request.length);
    reply.set(header.subarray(0, BODY_HEADER_BYTES), 0);
    let filePos = request.offset % this.sizeBytes;
    let at = BODY_HEADER_BYTES;
    while (at < reply.length) {
      const take = Math.min(reply.length - at, this.sizeBytes - filePos);
      const { bytesRead } = await this.handle.read(reply, at, take, filePos);
      if (bytesRead <= 0) throw new Error('io data file ended early');
      at += bytesRead;
      filePos = (filePos + bytesRead) % this.sizeBytes;
    }
    return reply;
  }

  async close(): Promise<void> {
    await this.handle.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
