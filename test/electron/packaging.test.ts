/**
 * What can be checked of the installers without a network: electron-builder.yml against electron-builder's
 * own schema (its validateConfiguration, which runs offline), the keys this product needs, the icons and
 * tray images, the paths the config names against what the build emits, and the release workflow.
 * Not checked here: downloading Electron, rebuilding better-sqlite3 for Electron, NSIS and AppImage output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPngHeader } from '../../electron/build/png.ts';
import { TRAY_STATES } from '../../electron/main/tray.ts';
import { APP_ID } from '../../electron/main/desktop-app.ts';
import { REPO } from './desktop-harness.ts';

interface BuilderConfig {
  appId: string;
  productName: string;
  extraMetadata: { main: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  win: { target: { target: string }[]; icon: string };
  linux: { target: { target: string }[]; icon: string };
  directories: { output: string };
}

const configText = fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');
const config = parse(configText) as BuilderConfig;

/** Decodes the PNGs make-images.ts writes (8-bit RGBA, filter 0 on every row). */
function pixels(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = fs.readFileSync(file);
  const { width, height, colourType } = readPngHeader(bytes);
  expect(colourType).toBe(6);
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('ascii', at + 4, at + 8);
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, rgba };
}

/** The most common opaque colour, as "r,g,b". */
function mainColour(file: string): string {
  const { rgba } = pixels(file);
  const counts = new Map<string, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3]! < 250) continue;
    const key = `${rgba[i]},${rgba[i + 1]},${rgba[i + 2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", async () => {
    const { validateConfiguration } = (await import('app-builder-lib/out/util/config/config.js')) as {
      validateConfiguration: (c: unknown, log: unknown) => Promise<void>;
    };
    const log = { isEnabled: false, add: () => undefined, save: () => Promise.resolve(), toString: () => '' };
    await expect(validateConfiguration(config, log)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, win: { ...config.win, bogus: 1 } }, log)).rejects.toThrow(
      /configuration/,
    );
  });

  it('names the product and the same app id the main process uses for notifications', () => {
    expect(config.productName).toBe('Tandem');
    expect(config.appId).toBe(APP_ID);
  });

  it('builds Windows NSIS, Linux deb and AppImage', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.linux.target.map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
  });

  it('starts the compiled main process, where the build puts it', () => {
    expect(config.extraMetadata.main).toBe('dist/app/electron/main/index.js');
    const build = JSON.parse(fs.readFileSync(path.join(REPO, 'electron', 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(path.resolve(REPO, 'electron', build.compilerOptions.outDir)).toBe(path.join(REPO, 'dist', 'app'));
    expect(path.resolve(REPO, 'electron', build.compilerOptions.rootDir)).toBe(REPO);
  });

  it('ships the compiled app and the dashboard, never sources or the private license key', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/app/**/*', 'dist/renderer/**/*', '!**/*.ts']));
    expect(config.files.some((f) => f.startsWith('!') && f.includes('dev-private-key.pem'))).toBe(true);
    expect(config.files.some((f) => f.startsWith('node-core') || f.startsWith('electron/'))).toBe(false);
  });

  it("keeps better-sqlite3's native binding out of app.asar", () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack.some((p) => p.includes('better-sqlite3') && p.endsWith('.node'))).toBe(true);
  });

  it('points at icons that exist: 256×256 for Windows (made into .ico at release), a size folder for Linux', () => {
    expect(readPngHeader(fs.readFileSync(path.join(REPO, config.win.icon)))).toMatchObject({
      width: 256,
      height: 256,
    });
    for (const size of [256, 512]) {
      expect(
        readPngHeader(fs.readFileSync(path.join(REPO, config.linux.icon, `${size}x${size}.png`))),
      ).toMatchObject({
        width: size,
        height: size,
      });
    }
  });
});

describe('tray images', () => {
  it.each(TRAY_STATES)('%s has a 16×16 and a 32×32 (@2x) PNG', (state) => {
    expect(pixels(path.join(REPO, 'assets', 'tray', `${state}.png`))).toMatchObject({
      width: 16,
      height: 16,
    });
    expect(pixels(path.join(REPO, 'assets', 'tray', `${state}@2x.png`))).toMatchObject({
      width: 32,
      height: 32,
    });
  });

  it('each state has its own colour: green, blue, amber, red', () => {
    const colours = Object.fromEntries(
      TRAY_STATES.map((s) => [s, mainColour(path.join(REPO, 'assets', 'tray', `${s}@2x.png`))]),
    );
    expect(colours).toEqual({
      active: '46,160,79',
      standby: '47,111,214',
      attention: '240,160,32',
      fault: '217,48,48',
    });
  });
});

describe('release workflow', () => {
  const workflow = parse(fs.readFileSync(path.join(REPO, '.github', 'workflows', 'release.yml'), 'utf8')) as {
    jobs: Record<
      string,
      { steps: { run?: string }[]; strategy?: { matrix: { include: { targets: string }[] } } }
    >;
  };
  const runs = workflow.jobs['installers']!.steps.map((s) => s.run ?? '').join('\n');

  it('builds the dashboard, compiles, then runs electron-builder for Windows and Linux', () => {
    const order = [
      'npm ci',
      'npm run build:renderer',
      'npm run build:electron',
      'electron-builder --config electron-builder.yml',
    ];
    const positions = order.map((step) => runs.indexOf(step));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const targets = workflow.jobs['installers']!.strategy!.matrix.include.map((i) => i.targets).join(' ');
    expect(targets).toContain('--win nsis');
    expect(targets).toContain('--linux deb AppImage');
  });

  it('runs the desktop checks before it builds', () => {
    expect(runs).toContain('npm run check:electron-security');
    expect(runs.indexOf('npm run test:electron')).toBeLessThan(runs.indexOf('electron-builder'));
  });
});
