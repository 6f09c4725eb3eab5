/** Seconds as `1d 2h 3m 4s` (zero parts left out; `0s` for nothing). */
export function formatDuration(seconds: bigint): string {
  const s = Number(seconds);
  const parts = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3_600), 'h'],
    [Math.floor((s % 3_600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`);
  return shown.length === 0 ? '0s' : shown.join(' ');
}
