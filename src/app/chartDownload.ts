// Downloading a chart on screen: its SVG with the page's computed colours inlined (svgExport.ts), or
// a PNG drawn from that SVG on a canvas at twice the screen's size. Page side only (DOM, canvas).
import { INLINED_PROPERTIES, stackedSvgMarkup, svgMarkup, type MarkupNode, type StyleOf } from './svgExport';
import { saveBlob } from './actions/exporting';

export type ChartFormat = 'svg' | 'png';

/** A chart written out: standalone SVG markup and its size in CSS pixels. */
export interface ChartImage {
  svg: string;
  width: number;
  height: number;
}

const styleOf: StyleOf = (node) => {
  const cs = getComputedStyle(node as unknown as Element);
  const out: ReturnType<StyleOf> = { display: cs.display };
  for (const p of INLINED_PROPERTIES) out[p] = cs.getPropertyValue(p);
  return out;
};

/** The colour behind an element: the first ancestor with an opaque background (the page's at worst). */
function backgroundOf(el: Element): string {
  for (let e: Element | null = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return getComputedStyle(document.documentElement).getPropertyValue('--bg').trim() || '#ffffff';
}

/** One `<svg>` on screen as a standalone drawing of its on-screen size. */
export function imageOfSvg(svg: SVGSVGElement): ChartImage {
  const { width, height } = svg.getBoundingClientRect();
  return { svg: svgMarkup(svg as unknown as MarkupNode, { width, height, background: backgroundOf(svg), styleOf }), width, height };
}

/** Several `<svg>`s on screen, each under its label, as one drawing. */
export function imageOfStack(parts: readonly { label: string; svg: SVGSVGElement }[]): ChartImage {
  const first = parts[0]?.svg ?? document.body;
  const sized = parts.map((p) => ({ label: p.label, node: p.svg as unknown as MarkupNode, ...sizeOf(p.svg) }));
  const svg = stackedSvgMarkup(sized, {
    background: backgroundOf(first), color: getComputedStyle(first).color, fontFamily: getComputedStyle(first).fontFamily, styleOf,
  });
  const [, , width, height] = /viewBox="([^"]+)"/.exec(svg)![1].split(' ').map(Number);
  return { svg, width, height };
}

function sizeOf(el: Element) {
  const { width, height } = el.getBoundingClientRect();
  return { width, height };
}

/** The drawing as PNG bytes, `scale` device pixels per CSS pixel. */
export async function pngOf(image: ChartImage, scale = 2): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(image.svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(image.width * scale));
  canvas.height = Math.max(1, Math.round(image.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the chart as a PNG (no 2D canvas)');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded'))), 'image/png'));
}

/** Saves the chart as `<name>.svg` or `<name>.png`. */
export async function downloadChart(image: ChartImage, format: ChartFormat, name: string): Promise<void> {
  const blob = format === 'svg' ? new Blob([image.svg], { type: 'image/svg+xml' }) : await pngOf(image);
  saveBlob(`${name}.${format}`, blob);
}
