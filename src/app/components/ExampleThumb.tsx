import { useEffect, useRef } from 'react';
import type { DataExample } from '../../engine/api';

/** One example as the model sees it: its pixels drawn 1:1 on a canvas (scaled up by CSS), or a table row's numbers. */
export function ExampleThumb({ example }: { example: DataExample }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const image = example.image;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !image) return;
    const { width, height, channels, pixels } = image;
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = pixels[i * channels + (channels === 1 ? 0 : c)];
      rgba[i * 4 + 3] = 255;
    }
    ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  }, [image]);
  if (!image) {
    return <code className="example-row" title={example.name}>{(example.row ?? []).map((v) => +v.toPrecision(3)).join(', ')}</code>;
  }
  return <canvas ref={canvas} className="example-image" width={image.width} height={image.height} aria-label={example.name} role="img" />;
}
