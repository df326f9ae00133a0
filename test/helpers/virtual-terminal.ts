// A terminal for tests of the full-screen UI: a TTY-like stdout whose bytes feed an @xterm/headless terminal (the
// screen a person would see, read back as text), a TTY-like stdin the test types into, and a counter of what was
// written. `convertEol` mirrors the line discipline: a real pty turns '\n' into CR LF on output (ONLCR stays on in
// raw mode).

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import xterm from '@xterm/headless';

const { Terminal } = xterm;

export class FakeTtyOutput extends EventEmitter {
  readonly isTTY = true;
  bytes = 0;
  /** Everything written, in order (escape sequences included). */
  readonly chunks: string[] = [];

  constructor(
    private readonly terminal: InstanceType<typeof Terminal>,
    public columns: number,
    public rows: number,
  ) {
    super();
  }

  write(data: string | Uint8Array): boolean {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    this.bytes += Buffer.byteLength(text);
    this.chunks.push(text);
    this.terminal.write(text);
    return true;
  }
}

export class FakeTtyInput extends PassThrough {
  readonly isTTY = true;
  isRaw = false;

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }

  /** Types `text` as one chunk (as a terminal sends a key, or several when keys repeat). */
  type(text: string): void {
    this.write(Buffer.from(text, 'utf8'));
  }
}

export class VirtualTerminal {
  readonly terminal: InstanceType<typeof Terminal>;
  readonly stdout: FakeTtyOutput;
  readonly stdin = new FakeTtyInput();

  constructor(columns: number, rows: number) {
    this.terminal = new Terminal({ cols: columns, rows, convertEol: true, allowProposedApi: true, scrollback: 0 });
    this.stdout = new FakeTtyOutput(this.terminal, columns, rows);
  }

  get columns(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  /** Resizes the terminal, then tells the program (SIGWINCH → 'resize'). */
  resize(columns: number, rows: number): void {
    this.terminal.resize(columns, rows);
    this.stdout.columns = columns;
    this.stdout.rows = rows;
    this.stdout.emit('resize');
  }

  /** Resolves once xterm has parsed everything written so far. */
  flush(): Promise<void> {
    return new Promise((resolveFlush) => this.terminal.write('', resolveFlush));
  }

  /** The screen, one string per row, trailing spaces trimmed. */
  lines(): string[] {
    const buffer = this.terminal.buffer.active;
    const out: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) out.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    return out;
  }

  /** The screen as text (what a snapshot holds): rows joined by newlines, trailing empty rows kept as empty lines. */
  text(): string {
    return this.lines().join('\n');
  }

  /** Whether the alternate screen is shown (the TUI took the terminal over). */
  get alternateScreen(): boolean {
    return this.terminal.buffer.active.type === 'alternate';
  }

  /** Every byte written since `from` (an index into chunks). */
  written(from = 0): string {
    return this.stdout.chunks.slice(from).join('');
  }
}

/** Polls `condition` until it holds (the UI flushes live changes every 100 ms), failing after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms = 3_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await condition()) return;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
  }
}
