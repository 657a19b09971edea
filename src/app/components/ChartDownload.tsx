import { useEffect, useId, useRef, useState } from 'react';
import { downloadChart, type ChartFormat, type ChartImage } from '../chartDownload';
import { useStudio } from '../store';

const FORMATS: { format: ChartFormat; text: string }[] = [
  { format: 'svg', text: 'SVG (vector)' },
  { format: 'png', text: 'PNG (image)' },
];

/**
 * A small menu button that saves a chart as SVG or PNG. `image` writes the chart out when a format
 * is chosen (null: nothing drawn yet); `name` is the file's name without its extension.
 */
export function ChartDownload({ chart, name, label, image }: { chart: string; name: string; label: string; image: () => ChartImage | null }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  const choose = async (format: ChartFormat) => {
    setOpen(false);
    button.current?.focus();
    const drawn = image();
    if (!drawn) return;
    try {
      await downloadChart(drawn, format, name);
    } catch (e) {
      useStudio.setState({ error: `The chart could not be saved as ${format.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  const onMenuKey = (e: React.KeyboardEvent) => {
    const items = [...(root.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      setOpen(false);
      button.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="chart-download" ref={root} onKeyDown={open ? onMenuKey : undefined}>
      <button ref={button} type="button" className="small-button" data-testid="download-chart" data-chart={chart}
        aria-haspopup="menu" aria-expanded={open} aria-controls={open ? menuId : undefined} aria-label={`Download ${label}`}
        onClick={() => setOpen((o) => !o)}>
        ↓ Download
      </button>
      {open && (
        <div className="chart-download-menu" role="menu" id={menuId} aria-label={`Download ${label} as`}>
          {FORMATS.map((f) => (
            <button key={f.format} type="button" role="menuitem" data-testid="download-format" data-format={f.format} onClick={() => void choose(f.format)}>
              {f.text}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
