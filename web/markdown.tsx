// Markdown to React elements, for the post-mortem (engine/postmortem.ts writes it): headings, paragraphs, lists, quotes,
// GFM tables, fenced code, rules; emphasis, strong, strike-through, code spans, backslash escapes, links.
//
// Safe by construction rather than by sanitising afterwards: the output is React elements of a fixed set of tags,
// every piece of text a string child (React escapes it), and the only attribute that comes from the input is a link's
// href, kept only when it is an absolute http(s) URL. Raw HTML and entities in the input stay the text they are. There
// is no dangerouslySetInnerHTML anywhere in the page. Input size and nesting are bounded.

import type { ReactNode } from 'react';

const MAX_INPUT = 512 * 1024;
/** Quotes within quotes, emphasis within links…: deeper than this is shown as text. */
const MAX_DEPTH = 8;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const TABLE_SEPARATOR = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** An absolute http(s) URL with nothing a browser would read differently, normalised; undefined for anything else. */
export function safeHref(raw: string): string | undefined {
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text) || /[\s\u0000-\u001f\u007f-\u009f<>"'`\\]/.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The post-mortem (or any Markdown) as elements. */
export function renderMarkdown(markdown: string): ReactNode {
  const lines = markdown.slice(0, MAX_INPUT).replace(/\r\n?/g, '\n').split('\n');
  return <>{blocks(lines, 0)}</>;
}

function startsBlock(line: string, next: string | undefined): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line) || isTableStart(line, next);
}

function isTableStart(line: string, next: string | undefined): boolean {
  return line.includes('|') && next !== undefined && next.includes('-') && TABLE_SEPARATOR.test(next);
}

/** `| a | b \| c |` → ['a', 'b \| c'] (escaped pipes stay in their cell, still escaped for the inline pass). */
function tableCells(line: string): string[] {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1];
      i++;
    } else if (char === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

function blocks(lines: readonly string[], depth: number): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const key = out.length;
    const fence = FENCE.exec(line);
    if (fence !== null) {
      const marker = fence[1]!;
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i]!.trim().startsWith(marker[0]!.repeat(marker.length)) && /^ {0,3}(`{3,}|~{3,})[ \t]*$/.test(lines[i]!))) {
        code.push(lines[i]!);
        i++;
      }
      i++; // the closing fence (or the end)
      out.push(
        <pre key={key}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      const level = heading[1]!.length;
      const content = inline((heading[2] ?? '').replace(/[ \t]+#+$/, ''), depth);
      out.push(
        level === 1 ? <h1 key={key}>{content}</h1>
        : level === 2 ? <h2 key={key}>{content}</h2>
        : level === 3 ? <h3 key={key}>{content}</h3>
        : level === 4 ? <h4 key={key}>{content}</h4>
        : level === 5 ? <h5 key={key}>{content}</h5>
        : <h6 key={key}>{content}</h6>,
      );
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(<hr key={key} />);
      i++;
      continue;
    }
    if (isTableStart(line, lines[i + 1])) {
      const header = tableCells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && lines[i]!.trim() !== '' && lines[i]!.includes('|')) {
        rows.push(tableCells(lines[i]!));
        i++;
      }
      out.push(
        <div className="table-scroll" key={key}>
          <table>
            <thead>
              <tr>
                {header.map((cell, c) => (
                  <th key={c} scope="col">
                    {inline(cell, depth)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, r) => (
                <tr key={r}>
                  {header.map((_, c) => (
                    <td key={c}>{inline(row[c] ?? '', depth)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      );
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) {
        quoted.push(QUOTE.exec(lines[i]!)![1]!);
        i++;
      }
      out.push(depth >= MAX_DEPTH ? <p key={key}>{quoted.join(' ')}</p> : <blockquote key={key}>{blocks(quoted, depth + 1)}</blockquote>);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item !== null) {
      const ordered = /\d/.test(item[1]![0]!);
      const items: string[] = [];
      while (i < lines.length) {
        const current = LIST_ITEM.exec(lines[i]!);
        if (current !== null && /\d/.test(current[1]![0]!) === ordered) {
          items.push(current[2]!);
          i++;
        } else if (items.length > 0 && /^[ \t]+\S/.test(lines[i]!) && !startsBlock(lines[i]!.trim(), lines[i + 1])) {
          items[items.length - 1] += ` ${lines[i]!.trim()}`; // a continuation line of the item
          i++;
        } else {
          break;
        }
      }
      const children = items.map((text, n) => <li key={n}>{inline(text, depth)}</li>);
      if (ordered) {
        const start = Number.parseInt(item[1]!, 10);
        out.push(
          <ol key={key} start={Number.isSafeInteger(start) && start !== 1 ? start : undefined}>
            {children}
          </ol>,
        );
      } else {
        out.push(<ul key={key}>{children}</ul>);
      }
      continue;
    }
    const paragraph: string[] = [line.trim()];
    i++;
    while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines[i]!, lines[i + 1])) {
      paragraph.push(lines[i]!.trim());
      i++;
    }
    out.push(<p key={key}>{inline(paragraph.join(' '), depth)}</p>);
  }
  return out;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}]/u.test(char);
}

/** Where the closing `delimiter` of a span opened at `from` is; -1 when none. Escaped characters are skipped. */
function findClosing(text: string, from: number, delimiter: string): number {
  for (let i = from; i <= text.length - delimiter.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text.startsWith(delimiter, i)) return i;
  }
  return -1;
}

/** The `]` that closes a link label opened just before `from` (nested brackets balanced); -1 when none. */
function findLabelEnd(text: string, from: number): number {
  let open = 1;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === '[') open++;
    else if (char === ']' && --open === 0) return i;
  }
  return -1;
}

/** The `)` that ends a link destination starting at `from`, parentheses inside balanced (as CommonMark); -1 when none. */
function findDestinationEnd(text: string, from: number): number {
  let open = 1;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === '(') open++;
    else if (char === ')' && --open === 0) return i;
  }
  return -1;
}

function inline(text: string, depth: number): ReactNode[] {
  const out: ReactNode[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') out.push(literal);
    literal = '';
  };
  const push = (node: ReactNode) => {
    flush();
    out.push(node);
  };
  const nested = (inner: string) => (depth >= MAX_DEPTH ? [inner] : inline(inner, depth + 1));
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const key = out.length;
    if (char === '\\' && i + 1 < text.length && ASCII_PUNCTUATION.test(text[i + 1]!)) {
      literal += text[i + 1];
      i += 2;
      continue;
    }
    if (char === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const end = text.indexOf(fence, i + run);
      if (end > i) {
        push(<code key={key}>{text.slice(i + run, end).trim() || text.slice(i + run, end)}</code>);
        i = end + run;
        continue;
      }
      literal += fence;
      i += run;
      continue;
    }
    if ((char === '*' || char === '_' || char === '~') && text[i + 1] === char) {
      const delimiter = char + char;
      const end = findClosing(text, i + 2, delimiter);
      const opensWord = char !== '_' || !isWordChar(text[i - 1]);
      if (opensWord && end > i + 2 && text[i + 2] !== ' ') {
        const inner = nested(text.slice(i + 2, end));
        push(char === '~' ? <del key={key}>{inner}</del> : <strong key={key}>{inner}</strong>);
        i = end + 2;
        continue;
      }
    }
    if ((char === '*' || char === '_') && text[i + 1] !== char && text[i + 1] !== ' ' && text[i + 1] !== undefined) {
      const opensWord = char !== '_' || !isWordChar(text[i - 1]);
      const end = opensWord ? findClosing(text, i + 1, char) : -1;
      if (end > i + 1 && text[end - 1] !== ' ' && (char !== '_' || !isWordChar(text[end + 1]))) {
        push(<em key={key}>{nested(text.slice(i + 1, end))}</em>);
        i = end + 1;
        continue;
      }
    }
    if (char === '[') {
      const labelEnd = findLabelEnd(text, i + 1);
      if (labelEnd > i && text[labelEnd + 1] === '(') {
        const close = findDestinationEnd(text, labelEnd + 2);
        if (close > labelEnd) {
          const destination = text.slice(labelEnd + 2, close).trim().split(/\s+/)[0] ?? '';
          const href = safeHref(destination.replace(/^<(.*)>$/, '$1'));
          const label = nested(text.slice(i + 1, labelEnd));
          // A link to anything but http(s) keeps its words and loses its target.
          push(
            href !== undefined ? (
              <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank">
                {label}
              </a>
            ) : (
              <span key={key}>{label}</span>
            ),
          );
          i = close + 1;
          continue;
        }
      }
    }
    if (char === '<') {
      const end = text.indexOf('>', i + 1);
      const href = end > i ? safeHref(text.slice(i + 1, end)) : undefined;
      if (href !== undefined) {
        push(
          <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank">
            {text.slice(i + 1, end)}
          </a>,
        );
        i = end + 1;
        continue;
      }
    }
    literal += char;
    i++;
  }
  flush();
  return out;
}
