import { mulberry32 } from '../src/core/data/seededRandom';
import { clusterValues } from '../src/core/compress/kmeans1d';
const n = Number(process.argv[2] ?? 1_000_000);
const rnd = mulberry32(12345);
const w = new Float32Array(n);
for (let i = 0; i < n; i++) { const r = Math.sqrt(-2 * Math.log(1 - rnd())) * 0.05; w[i] = r * Math.cos(2 * Math.PI * rnd()); }
for (let r = 0; r < 12; r++) { const t0 = performance.now(); clusterValues(w, { k: Number(process.argv[3] ?? 256) }); console.log((performance.now() - t0).toFixed(1)); }
