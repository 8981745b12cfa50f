/**
 * Runs in node (build time): `node electron/build/make-images.ts` writes the tray images and the app icon.
 * The PNGs are committed; run this again only to change them.
 *
 * Tray (assets/tray/<state>.png 16×16 and <state>@2x.png 32×32): each state has its own colour AND its own
 * shape, so an operator who does not tell green from red still tells the states apart:
 *   active    green filled disc
 *   standby   blue ring
 *   attention amber triangle with a "!"
 *   fault     red square with a white cross
 * Icon (assets/icons/256x256.png, 512x512.png): two overlapping discs, green and blue, on a dark tile.
 * electron-builder makes the Windows .ico from the 256×256 PNG at release (electron-builder.yml).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, type Rgba } from './png.ts';

/** A shape at (x, y), in units of the image size (0..1): zero or negative inside (a signed distance, or ±1). */
type Shape = (x: number, y: number) => number;
interface Layer {
  readonly shape: Shape;
  readonly colour: Rgba;
}

const GREEN: Rgba = { r: 0x2e, g: 0xa0, b: 0x4f, a: 255 };
const BLUE: Rgba = { r: 0x2f, g: 0x6f, b: 0xd6, a: 255 };
const AMBER: Rgba = { r: 0xf0, g: 0xa0, b: 0x20, a: 255 };
const RED: Rgba = { r: 0xd9, g: 0x30, b: 0x30, a: 255 };
const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 255 };
const INK: Rgba = { r: 0x1a, g: 0x1a, b: 0x1a, a: 255 };
const TILE: Rgba = { r: 0x1d, g: 0x27, b: 0x33, a: 255 };

const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const ring =
  (cx: number, cy: number, r: number, width: number): Shape =>
  (x, y) =>
    Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
const box =
  (cx: number, cy: number, half: number, round: number): Shape =>
  (x, y) => {
    const dx = Math.abs(x - cx) - (half - round);
    const dy = Math.abs(y - cy) - (half - round);
    return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - round;
  };
const segment =
  (ax: number, ay: number, bx: number, by: number, width: number): Shape =>
  (x, y) => {
    const px = x - ax;
    const py = y - ay;
    const vx = bx - ax;
    const vy = by - ay;
    const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
    return Math.hypot(px - t * vx, py - t * vy) - width / 2;
  };
/** Upward triangle centred on x = 0.5: inside when below the apex, above the base and between the sides. */
const triangle =
  (top: number, bottom: number, halfBase: number): Shape =>
  (x, y) => {
    const inside = y >= top && y <= bottom && Math.abs(x - 0.5) <= (halfBase * (y - top)) / (bottom - top);
    return inside ? -1 : 1;
  };
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));

/** Draws layers back to front with 4×4 supersampling; transparent where no layer is. */
export function render(size: number, layers: readonly Layer[]): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let colour: Rgba | null = null;
          for (const layer of layers) if (layer.shape(x, y) <= 0) colour = layer.colour;
          if (colour) {
            r += colour.r;
            g += colour.g;
            b += colour.b;
            a += colour.a;
          }
        }
      }
      const n = samples * samples;
      const coverage = a / 255;
      const i = (py * size + px) * 4;
      pixels[i] = coverage ? Math.round(r / coverage) : 0;
      pixels[i + 1] = coverage ? Math.round(g / coverage) : 0;
      pixels[i + 2] = coverage ? Math.round(b / coverage) : 0;
      pixels[i + 3] = Math.round(a / n);
    }
  }
  return pixels;
}

export const TRAY_LAYERS: Readonly<Record<'active' | 'standby' | 'attention' | 'fault', readonly Layer[]>> = {
  active: [
    { shape: disc(0.5, 0.5, 0.45), colour: darker(GREEN) },
    { shape: disc(0.5, 0.5, 0.38), colour: GREEN },
  ],
  standby: [{ shape: ring(0.5, 0.5, 0.33, 0.2), colour: BLUE }],
  attention: [
    { shape: triangle(0.04, 0.94, 0.5), colour: AMBER },
    { shape: segment(0.5, 0.38, 0.5, 0.62, 0.12), colour: INK },
    { shape: disc(0.5, 0.79, 0.065), colour: INK },
  ],
  fault: [
    { shape: box(0.5, 0.5, 0.45, 0.1), colour: RED },
    { shape: union(segment(0.3, 0.3, 0.7, 0.7, 0.14), segment(0.7, 0.3, 0.3, 0.7, 0.14)), colour: WHITE },
  ],
};

export const ICON_LAYERS: readonly Layer[] = [
  { shape: box(0.5, 0.5, 0.47, 0.1), colour: TILE },
  { shape: disc(0.39, 0.5, 0.24), colour: GREEN },
  { shape: ring(0.61, 0.5, 0.2, 0.08), colour: BLUE },
];

function darker(c: Rgba): Rgba {
  return { r: Math.round(c.r * 0.7), g: Math.round(c.g * 0.7), b: Math.round(c.b * 0.7), a: c.a };
}

export function writeImages(root: string): string[] {
  const written: string[] = [];
  const write = (file: string, size: number, layers: readonly Layer[]): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, encodePng(size, size, render(size, layers)));
    written.push(file);
  };
  for (const [state, layers] of Object.entries(TRAY_LAYERS)) {
    write(path.join(root, 'assets', 'tray', `${state}.png`), 16, layers);
    write(path.join(root, 'assets', 'tray', `${state}@2x.png`), 32, layers);
  }
  for (const size of [256, 512])
    write(path.join(root, 'assets', 'icons', `${size}x${size}.png`), size, ICON_LAYERS);
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const file of writeImages(root)) console.log(path.relative(root, file));
}
