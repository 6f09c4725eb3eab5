import type { DemoApp } from './demo-app';

/**
 * The demo that serves `pathname`: an exact mount wins, then the longest prefix mount (one ending in `/`);
 * undefined when none does.
 */
export function findDemo(demos: readonly DemoApp[], pathname: string): DemoApp | undefined {
  const exact = demos.find((demo) => demo.mounts.includes(pathname));
  if (exact) return exact;
  let best: { demo: DemoApp; length: number } | undefined;
  for (const demo of demos) {
    for (const mount of demo.mounts) {
      if (mount.endsWith('/') && pathname.startsWith(mount) && mount.length > (best?.length ?? 0)) {
        best = { demo, length: mount.length };
      }
    }
  }
  return best?.demo;
}
