/** Markdown-active characters and the full-width forms Chinese text uses anyway. */
const INERT: Record<string, string> = {
  '\\': '＼',
  '`': '｀',
  '*': '＊',
  _: '＿',
  '[': '［',
  ']': '］',
  '#': '＃',
  '<': '＜',
  '>': '＞',
  '~': '～',
  '|': '｜',
  '@': '＠',
  '&': '＆',
};

/**
 * Text made inert for WeCom and DingTalk markdown: no line breaks (no injected
 * headings, quotes or list items), and every character that could open a link or an
 * image (`[`), emphasis, code, an HTML tag or `<font>`, an entity, or a `<@user>` /
 * `@mobile` mention becomes its full-width twin (parentheses alone are harmless). People's comments, names and robots' error texts go through it
 * before they reach a group chat.
 */
export function inertMarkdown(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').replace(/[\\`*_[\]#<>~|@&]/g, (c) => INERT[c] ?? c);
}
