// The post-mortem's Markdown renderer: what it draws, and that no input whatever yields markup a browser would run.

import fc from 'fast-check';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, safeHref } from './markdown.js';

const html = (markdown: string) => renderToStaticMarkup(<>{renderMarkdown(markdown)}</>);

/** Tags the renderer may produce; anything else means input became markup. */
const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'pre', 'code', 'strong', 'em', 'del', 'a', 'span', 'blockquote', 'hr']);
const ALLOWED_ATTRIBUTES = new Set(['href', 'rel', 'target', 'class', 'scope', 'start']);

/** Every tag and attribute of `markup` is allowed, and every href is http(s). */
function assertInert(markup: string): void {
  for (const [, slash, name, attributes] of markup.matchAll(/<(\/?)([a-zA-Z0-9]+)([^>]*)>/g)) {
    expect(ALLOWED_TAGS, `tag <${slash}${name}>`).toContain(name!.toLowerCase());
    for (const [, attribute, value] of attributes!.matchAll(/\s([^\s=]+)(?:="([^"]*)")?/g)) {
      expect(ALLOWED_ATTRIBUTES, `attribute ${attribute}`).toContain(attribute!.toLowerCase());
      if (attribute === 'href') expect(value).toMatch(/^https?:\/\//);
    }
  }
}

const hostileMarkdown = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '<a href="javascript:alert(1)">x</a>',
        '[click](javascript:alert(1))',
        '[click](JAVASCRIPT:alert(1))',
        '[x](  javascript:alert(1) "t")',
        '[x](data:text/html,<script>alert(1)</script>)',
        '[x](https://ok.example/"onmouseover="alert(1))',
        '<javascript:alert(1)>',
        '<https://example.com/a>',
        '&lt;script&gt;',
        '&#x3C;img src=x onerror=alert(1)&#x3E;',
        '\u001b[31m',
        '\n',
        '\n\n',
        '| a | b |\n|---|---|\n| <b> | c |',
        '# ',
        '- ',
        '1. ',
        '> ',
        '```\n',
        '**',
        '*',
        '_',
        '`',
        '[',
        '](',
        ')',
        '\\',
        ' onload=',
        '" onclick="',
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('renderMarkdown', () => {
  it('draws the post-mortem’s blocks and spans', () => {
    const markup = html(
      [
        '# Post-Mortem: inc_00001',
        '',
        '**Severity** high, `error_burst` on *checkout*',
        '',
        '## Timeline',
        '',
        '| Time | Event \\| detail |',
        '|------|------|',
        '| 10:00:00 | **HIGH** api\\_error: POST /orders \\| 500 |',
        '',
        '- first',
        '- [runbook](https://runbooks.example.com/checkout)',
        '',
        '3. third',
        '4. fourth',
        '',
        '> quoted',
        '',
        '---',
        '```',
        '<b>code</b>',
        '```',
      ].join('\n'),
    );
    expect(markup).toContain('<h1>Post-Mortem: inc_00001</h1>');
    expect(markup).toContain('<p><strong>Severity</strong> high, <code>error_burst</code> on <em>checkout</em></p>');
    expect(markup).toContain('<th scope="col">Event | detail</th>');
    expect(markup).toContain('<td><strong>HIGH</strong> api_error: POST /orders | 500</td>');
    expect(markup).toContain('<li><a href="https://runbooks.example.com/checkout" rel="noopener noreferrer nofollow" target="_blank">runbook</a></li>');
    expect(markup).toContain('<ol start="3"><li>third</li><li>fourth</li></ol>');
    expect(markup).toContain('<blockquote><p>quoted</p></blockquote>');
    expect(markup).toContain('<hr/>');
    expect(markup).toContain('<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre>');
  });

  it('keeps HTML, entities and non-http links as the text they are', () => {
    const markup = html('<script>alert(1)</script> <img src=x onerror=alert(1)> &amp; [x](javascript:alert(1)) <javascript:alert(1)>');
    expect(markup).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &amp;amp; <span>x</span> &lt;javascript:alert(1)&gt;</p>');
    assertInert(markup);
  });

  it('never yields a script, an event handler or a non-http link, whatever the input', () => {
    fc.assert(
      fc.property(hostileMarkdown, (markdown) => {
        assertInert(html(markdown));
      }),
      { numRuns: 2_000 },
    );
  });

  it('is bounded: deep nesting and huge input do not blow the stack', () => {
    expect(() => html('> '.repeat(10_000) + 'deep')).not.toThrow();
    expect(() => html('['.repeat(5_000) + '**'.repeat(5_000))).not.toThrow();
    expect(html('a'.repeat(2_000_000)).length).toBeLessThan(600_000);
  });
});

describe('safeHref', () => {
  it.each([
    ['https://example.com/a?b=c#d', 'https://example.com/a?b=c#d'],
    ['HTTP://Example.com', 'http://example.com/'],
    ['javascript:alert(1)', undefined],
    [' javascript:alert(1)', undefined],
    ['java\tscript:alert(1)', undefined],
    ['data:text/html,x', undefined],
    ['//evil.example', undefined],
    ['https://a.example/"onmouseover=x', undefined],
    ['https://a.example/\u0000', undefined],
  ])('%j → %j', (input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });
});
