/**
 * Renders resources/icons/icon.svg into every icon file the installers use, so packaging needs
 * no image tools on the build machine:
 *   icon.png            1024 px, full bleed (Windows/Linux source, window icon)
 *   icon.ico            16–256 px PNG entries (Windows exe + NSIS)
 *   icon.icns           16–1024 px PNG entries on Apple's 824 px icon grid (macOS)
 *   linux/<N>x<N>.png   hicolor sizes for AppImage/deb
 * Usage: tsx scripts/generate-icons.ts   (outputs are committed; rerun after editing the SVG)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../resources/icons');
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS PNG entry types (https://en.wikipedia.org/wiki/Apple_Icon_Image_format). */
const ICNS_TYPES: [string, number][] = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256],
  ['ic09', 512],
  ['ic14', 512],
  ['ic10', 1024],
];

async function render(svg: Buffer, size: number, inset = 0): Promise<Buffer> {
  const inner = Math.round(size * (1 - 2 * inset));
  // Rasterise large, then downscale: librsvg at tiny sizes loses the thin shapes.
  const art = await sharp(svg, { density: 384 }).resize(inner, inner).png().toBuffer();
  if (inner === size) return art;
  const pad = Math.floor((size - inner) / 2);
  return sharp({ create: { width: size, height: size, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: art, left: pad, top: pad }])
    .png()
    .toBuffer();
}

export function encodeIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2);
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

export function encodeIcns(entries: { type: string; png: Buffer }[]): Buffer {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

export async function generateIcons(dir = DIR): Promise<void> {
  const svg = fs.readFileSync(path.join(dir, 'icon.svg'));
  fs.writeFileSync(path.join(dir, 'icon.png'), await render(svg, 1024));

  fs.mkdirSync(path.join(dir, 'linux'), { recursive: true });
  for (const s of LINUX_SIZES) fs.writeFileSync(path.join(dir, 'linux', `${s}x${s}.png`), await render(svg, s));

  const ico = await Promise.all(ICO_SIZES.map(async (size) => ({ size, png: await render(svg, size) })));
  fs.writeFileSync(path.join(dir, 'icon.ico'), encodeIco(ico));

  // macOS icons sit inside a transparent margin (824 of 1024 px), like the system's own.
  const inset = (1024 - 824) / 2 / 1024;
  const icns = await Promise.all(ICNS_TYPES.map(async ([type, size]) => ({ type, png: await render(svg, size, inset) })));
  fs.writeFileSync(path.join(dir, 'icon.icns'), encodeIcns(icns));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await generateIcons();
  console.log(`icons written to ${path.relative(process.cwd(), DIR)}`);
}
