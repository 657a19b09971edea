// Pan and zoom of a drawing inside a viewport, as one transform: screen = drawing * k + (x, y).

export interface View {
  x: number;
  y: number;
  k: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 3;
/** One key press: zoom factor and pan distance (screen pixels). */
export const KEY_ZOOM = 1.25;
export const KEY_PAN = 80;

const clampScale = (k: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));

/** Zooms by `factor` keeping the drawing point under screen point (px, py) where it is. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const k = clampScale(v.k * factor);
  const f = k / v.k;
  return { k, x: px - (px - v.x) * f, y: py - (py - v.y) * f };
}

export function panBy(v: View, dx: number, dy: number): View {
  return { ...v, x: v.x + dx, y: v.y + dy };
}

/**
 * The whole drawing's width in the viewport, no larger than 1:1 and no smaller than `minScale`
 * (a tall graph starts readable at its top rather than as a thin line); centred across, at the top
 * when it is taller than the viewport, else centred down.
 */
export function fitView(width: number, height: number, viewW: number, viewH: number, minScale = 0.85): View {
  if (width <= 0 || height <= 0 || viewW <= 0 || viewH <= 0) return { x: 0, y: 0, k: 1 };
  const whole = Math.min(viewW / width, viewH / height);
  const k = clampScale(Math.min(1, Math.max(whole, Math.min(minScale, viewW / width))));
  const x = (viewW - width * k) / 2;
  const y = height * k <= viewH ? (viewH - height * k) / 2 : 0;
  return { x, y, k };
}

/** The view a key asks for (+ / - zoom about the centre, arrows pan, 0 fits); null for other keys. */
export function viewForKey(v: View, key: string, viewW: number, viewH: number, fit: () => View): View | null {
  switch (key) {
    case '+':
    case '=':
      return zoomAt(v, KEY_ZOOM, viewW / 2, viewH / 2);
    case '-':
    case '_':
      return zoomAt(v, 1 / KEY_ZOOM, viewW / 2, viewH / 2);
    case 'ArrowLeft':
      return panBy(v, KEY_PAN, 0);
    case 'ArrowRight':
      return panBy(v, -KEY_PAN, 0);
    case 'ArrowUp':
      return panBy(v, 0, KEY_PAN);
    case 'ArrowDown':
      return panBy(v, 0, -KEY_PAN);
    case '0':
      return fit();
    default:
      return null;
  }
}

/** The SVG transform attribute of a view. */
export function transformOf(v: View): string {
  return `translate(${v.x.toFixed(1)},${v.y.toFixed(1)}) scale(${v.k.toFixed(4)})`;
}
