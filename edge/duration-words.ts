/** A duration as a person says it, Chinese and English: `3 天 4 小时 / 3 d 4 h`, `41 秒 / 41 s`. */
export function durationWords(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const parts: Array<[number, string, string]> = [
    [Math.floor(seconds / 86_400), '天', 'd'],
    [Math.floor(seconds / 3600) % 24, '小时', 'h'],
    [Math.floor(seconds / 60) % 60, '分', 'min'],
    [seconds % 60, '秒', 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const shown =
    first === -1
      ? [parts[3] as [number, string, string]]
      : parts.slice(first, first + 2).filter(([n]) => n > 0);
  return `${shown.map(([n, zh]) => `${n} ${zh}`).join(' ')} / ${shown.map(([n, , en]) => `${n} ${en}`).join(' ')}`;
}
