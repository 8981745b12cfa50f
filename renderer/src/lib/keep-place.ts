/** Runs in the browser: keeping the operator's place on the page through a change above it (a save). */
import { tick } from 'svelte';

/**
 * Keeps `element` where it is on screen through a save, and keeps it focused: what the save adds above it
 * (the "waiting for a restart" card) would push it down, and the Save button, disabled while saving, loses
 * the focus. Answers a function to call once the save's changes are on the page.
 */
export function keepPlace(element: HTMLElement | null): () => Promise<void> {
  const top = element?.getBoundingClientRect().top ?? null;
  return async () => {
    await tick();
    if (!element?.isConnected) return;
    // After the browser laid the change out (and maybe kept the place itself, by scroll anchoring).
    await nextFrame();
    const shift = top === null ? 0 : element.getBoundingClientRect().top - top;
    if (Math.abs(shift) >= 1) window.scrollBy({ top: shift, behavior: 'instant' });
    if (document.activeElement !== element) element.focus({ preventScroll: true });
  };
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
