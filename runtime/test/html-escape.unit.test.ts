import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../html-escape.js';

describe('escapeHtml', () => {
  it('escapes every character that can end a text or an attribute value', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('leaves other text as it is, Chinese included', () => {
    expect(escapeHtml('创客楼总电表 Maker building main meter 1/2')).toBe(
      '创客楼总电表 Maker building main meter 1/2',
    );
  });

  it('escapes an ampersand once, not what it produced', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});
