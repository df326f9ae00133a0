import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualTimers } from '../test/helpers/manual-timers.js';
import { ESCAPE_TIMEOUT_MS, createInputDecoder, decodeKeys, type KeyEvent } from './input.js';

const names = (input: string, final = true) => decodeKeys(input, final).keys.map((key) => key.name);

function decoder() {
  const timers = manualTimers();
  const keys: KeyEvent[] = [];
  const input = createInputDecoder((batch) => keys.push(...batch), { timers });
  return { timers, keys, input, names: () => keys.map((key) => key.name) };
}

describe('decodeKeys', () => {
  it('splits a chunk of several characters into one key each (key repeat over SSH)', () => {
    expect(names('jjk')).toEqual(['j', 'j', 'k']);
    expect(names('G?:/')).toEqual(['G', '?', ':', '/']);
  });

  it('reads 0x7F and 0x08 as Backspace, CR, LF and CR LF as one Enter each, Ctrl-C, Tab', () => {
    expect(names('\u007f\u0008')).toEqual(['backspace', 'backspace']);
    expect(names('\r\n\r\n')).toEqual(['enter', 'enter']);
    expect(names('\u0003\t')).toEqual(['ctrl-c', 'tab']);
  });

  it('reads CSI and SS3 arrows, paging, Home/End (with modifiers) and Shift-Tab', () => {
    expect(names('\u001b[A\u001b[B\u001b[C\u001b[D')).toEqual(['up', 'down', 'right', 'left']);
    expect(names('\u001bOA\u001bOB\u001bOH\u001bOF')).toEqual(['up', 'down', 'home', 'end']);
    expect(names('\u001b[5~\u001b[6~\u001b[1~\u001b[4~\u001b[H\u001b[F')).toEqual(['pageup', 'pagedown', 'home', 'end', 'home', 'end']);
    expect(names('\u001b[1;5A\u001b[Z')).toEqual(['up', 'backtab']);
  });

  it('drops sequences it does not know (mouse, focus, function keys) whole', () => {
    expect(names('\u001b[<0;10;5M\u001b[I\u001b[15~j')).toEqual(['j']);
  });

  it('keeps an unfinished sequence for later unless the wait is over', () => {
    expect(decodeKeys('j\u001b', false)).toEqual({ keys: [{ name: 'j', text: 'j' }], rest: '\u001b' });
    expect(decodeKeys('\u001b[', false).rest).toBe('\u001b[');
    expect(decodeKeys('\u001b[1;', false).rest).toBe('\u001b[1;');
    expect(names('\u001b', true)).toEqual(['escape']);
    expect(names('\u001b[', true)).toEqual(['escape', '[']);
  });

  it('reads Esc followed by a key in the same chunk as Escape, then the key', () => {
    expect(names('\u001bj')).toEqual(['escape', 'j']);
    expect(names('\u001b\u001b')).toEqual(['escape', 'escape']);
  });

  it('gives prompts the text of printable keys, wide characters included, and nothing of controls', () => {
    const keys = decodeKeys('a é 事\u202e\u0085', true).keys;
    expect(keys.map((key) => key.text).join('')).toBe('a é 事');
    expect(keys[1]).toEqual({ name: 'space', text: ' ' });
  });

  it('takes a bracketed paste as one event: a pasted q never quits', () => {
    const keys = decodeKeys('\u001b[200~q\u001b]52;c;AAAA\u0007 line\r\nnext\u001b[201~j', true).keys;
    expect(keys.map((key) => key.name)).toEqual(['paste', 'j']);
    expect(keys[0]!.text).toBe('q]52;c;AAAA line  next');
  });

  it('never throws and never yields a control character as text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.boolean(), (input, final) => {
        const { keys, rest } = decodeKeys(input, final);
        for (const key of keys) expect(key.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(input.endsWith(rest)).toBe(true);
        if (final) expect(rest).toBe('');
      }),
    );
  });
});

describe('createInputDecoder', () => {
  it('joins an arrow key split across two chunks (two SSH packets) instead of reading Esc', () => {
    const { input, timers, names } = decoder();
    input.feed(Buffer.from('\u001b'));
    timers.advance(ESCAPE_TIMEOUT_MS - 1);
    input.feed(Buffer.from('[A'));
    timers.advance(1_000);
    expect(names()).toEqual(['up']);
  });

  it('reads a lone ESC as Escape once the wait is over, and only then', () => {
    const { input, timers, names } = decoder();
    input.feed(Buffer.from('\u001b'));
    expect(names()).toEqual([]);
    timers.advance(ESCAPE_TIMEOUT_MS);
    expect(names()).toEqual(['escape']);
    expect(timers.pending()).toBe(0);
  });

  it('keeps a UTF-8 character split across chunks whole', () => {
    const { input, names } = decoder();
    const bytes = Buffer.from('事j');
    input.feed(bytes.subarray(0, 1));
    input.feed(bytes.subarray(1));
    expect(names()).toEqual(['事', 'j']);
  });

  it('waits for the end of a paste that comes in pieces', () => {
    const { input, timers, keys } = decoder();
    input.feed('\u001b[200~ali');
    timers.advance(ESCAPE_TIMEOUT_MS * 2);
    input.feed('ce\u001b[201~');
    expect(keys).toEqual([{ name: 'paste', text: 'alice' }]);
  });

  it('stops after dispose', () => {
    const { input, timers, names } = decoder();
    input.feed('\u001b');
    input.dispose();
    timers.advance(1_000);
    input.feed('j');
    expect(names()).toEqual([]);
  });
});
