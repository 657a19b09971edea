// A chart on screen as a standalone SVG file: the element tree written out as markup with the colours
// and fonts the page computed for it written onto each element (a CSS variable or a class means nothing outside the page),
// on an opaque background (a dark-mode chart stays readable when opened on white). Works on any tree
// shaped like the DOM (nodeType, nodeName, attributes, childNodes), so it runs in Node for its tests;
// the page hands it live elements and getComputedStyle (chartDownload.ts).

/** The part of a DOM node this reads. */
export interface MarkupNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  attributes?: ArrayLike<{ name: string; value: string }>;
  childNodes: ArrayLike<MarkupNode>;
}

/** The computed properties written onto every element: what SVG drawing depends on. */
export const INLINED_PROPERTIES = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility', 'vector-effect',
] as const;

/** An element's computed style: property -> value (missing or empty: not written). `display: none` leaves the element out. */
export type StyleOf = (node: MarkupNode) => Partial<Record<(typeof INLINED_PROPERTIES)[number] | 'display', string>>;

export interface SvgMarkupOptions {
  /** The drawing's size in CSS pixels (what the page shows). */
  width: number;
  height: number;
  /** Painted behind everything; none for a part nested in another drawing. */
  background?: string;
  /** Where a nested part sits in its parent drawing. */
  x?: number;
  y?: number;
  styleOf: StyleOf;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const ELEMENT = 1;
const TEXT = 3;
/** Attributes that mean something only on the page (focus, events, page styles). */
const PAGE_ONLY = /^(on|data-|aria-|tabindex$|class$|style$|role$|focusable$|xmlns)/i;

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const round = (n: number) => String(Math.round(n * 100) / 100);

/** Properties that are not inherited, with the value that needs no writing. */
const NOT_INHERITED: Partial<Record<(typeof INLINED_PROPERTIES)[number], string>> = { opacity: '1', 'vector-effect': 'none' };

type Style = ReturnType<StyleOf>;

/**
 * One element and everything inside it, with its computed style written on (an inherited property only
 * where it differs from the parent's: the file inherits it like the page did); '' when not displayed.
 */
function elementMarkup(node: MarkupNode, styleOf: StyleOf, parent: Style | null, rootAttributes?: Record<string, string>): string {
  const style = styleOf(node);
  if (style.display === 'none') return '';
  const attributes: Record<string, string> = { ...rootAttributes };
  for (const a of Array.from(node.attributes ?? [])) {
    // A value that reads a CSS variable is replaced by the computed style below.
    if (!PAGE_ONLY.test(a.name) && !a.value.includes('var(') && !(a.name in attributes)) attributes[a.name] = a.value;
  }
  // As presentation attributes, not a style attribute: a page's Content Security Policy (style-src)
  // blocks inline styles in an SVG it draws, and so would a viewer's.
  for (const p of INLINED_PROPERTIES) {
    const v = style[p];
    if (!v) continue;
    const needed = p in NOT_INHERITED ? v !== NOT_INHERITED[p] : !parent || parent[p] !== v;
    if (needed) attributes[p] = v;
  }
  const name = node.nodeName;
  const open = `<${name}${Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('')}`;
  const inner = Array.from(node.childNodes, (c) => nodeMarkup(c, styleOf, style)).join('');
  return inner || rootAttributes ? `${open}>${inner}</${name}>` : `${open}/>`;
}

/** The element's own attribute `name`, if it has one. */
const a = (node: MarkupNode, name: string) => Array.from(node.attributes ?? []).find((x) => x.name === name)?.value;

function nodeMarkup(node: MarkupNode, styleOf: StyleOf, parent: Style): string {
  if (node.nodeType === TEXT) return escapeXml(node.nodeValue ?? '');
  if (node.nodeType !== ELEMENT) return '';
  return elementMarkup(node, styleOf, parent);
}

/** The `<svg>` element `root` as standalone markup (or, with x/y and no background, as a part to nest in another drawing). */
export function svgMarkup(root: MarkupNode, o: SvgMarkupOptions): string {
  const viewBox = a(root, 'viewBox') ?? `0 0 ${round(o.width)} ${round(o.height)}`;
  const nested = o.x !== undefined || o.y !== undefined;
  const placed: Record<string, string> = {
    ...(nested ? { x: round(o.x ?? 0), y: round(o.y ?? 0) } : { xmlns: SVG_NS }),
    width: round(o.width), height: round(o.height), viewBox,
  };
  const svg = elementMarkup(root, o.styleOf, null, placed);
  if (!o.background) return svg;
  // The background spans the whole view box, before everything else.
  const [vx, vy, vw, vh] = viewBox.split(/[\s,]+/).map(Number);
  const rect = `<rect x="${vx}" y="${vy}" width="${vw}" height="${vh}" fill="${escapeXml(o.background)}"/>`;
  const at = svg.indexOf('>') + 1;
  return svg.slice(0, at) + rect + svg.slice(at);
}

export interface StackedPart {
  /** A line of text above the part. */
  label: string;
  node: MarkupNode;
  width: number;
  height: number;
}

/** Several drawings one under another, each under its label, as one standalone SVG (the weights overview's histograms). */
export function stackedSvgMarkup(parts: readonly StackedPart[], o: { background: string; color: string; fontFamily: string; styleOf: StyleOf }): string {
  const LABEL = 18;
  const GAP = 10;
  /** About the width of a 13px label (a wide glyph's average), so no label is cut off. */
  const labelWidth = (text: string) => text.length * 7.4;
  const width = Math.ceil(2 * GAP + Math.max(1, ...parts.map((p) => Math.max(p.width, labelWidth(p.label)))));
  let y = GAP;
  const body: string[] = [];
  for (const p of parts) {
    body.push(`<text x="${GAP}" y="${round(y + 13)}" fill="${escapeXml(o.color)}" font-size="13px" font-family="${escapeXml(o.fontFamily)}">${escapeXml(p.label)}</text>`);
    y += LABEL;
    body.push(svgMarkup(p.node, { width: p.width, height: p.height, x: GAP, y, styleOf: o.styleOf }));
    y += p.height + GAP;
  }
  const height = Math.max(1, Math.ceil(y));
  return `<svg xmlns="${SVG_NS}" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}">`
    + `<rect x="0" y="0" width="${round(width)}" height="${round(height)}" fill="${escapeXml(o.background)}"/>${body.join('')}</svg>`;
}
