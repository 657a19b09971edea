// Reads the studio's own static files (the embedded demo) from the page's origin.

export async function fetchBytes(url: string): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not read ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new Error(`Could not read ${url}: HTTP ${res.status} ${res.statusText}`);
  return res.arrayBuffer();
}

export async function fetchJson(url: string): Promise<unknown> {
  const bytes = await fetchBytes(url);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${url} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Fetches a .gz file and returns its inflated bytes. Some static servers (Vite's preview among them)
 * send .gz files with `Content-Encoding: gzip`, so the browser has already inflated them: inflate
 * only when the bytes still carry the gzip magic number.
 */
export async function fetchGunzipped(url: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fetchBytes(url));
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${url} is not a valid gzip file: ${e instanceof Error ? e.message : String(e)}`);
  }
}
