const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
];

/** `2026-12-03 13:45 UTC`: minutes are what an operator compares; the exact instant stays in `datetime`. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `3 min ago`, `in 2 h`, `just now`: the largest whole unit of the distance from `now`. */
export function relativeTime(iso: string, now: Date): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 5) return 'just now';
  const [unit, size] = UNITS.find(([, s]) => magnitude >= s) ?? ['s', 1];
  const count = Math.floor(magnitude / size);
  return seconds < 0 ? `${count} ${unit} ago` : `in ${count} ${unit}`;
}
