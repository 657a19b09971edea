// The built studio's Content-Security-Policy: a sealed tab. Scripts, styles, images, fonts and
// workers come only from the studio's own origin; nothing is framed, posted or embedded.
//
// Two deliveries, because a dedicated worker loaded from a URL does not inherit its page's
// <meta> policy (checked in Chromium 150): it takes the policy of its own HTTP response.
// - PAGE_POLICY, a <meta> tag the build writes into index.html: works on any static host. The page
//   connects to nothing but its own origin (every fetch, ?model= included, runs in the worker).
// - HEADER_POLICY, sent by `vite preview` with every response (set the same header on a production
//   host): the page gets both policies (the stricter wins), the worker this one. Its connect-src
//   lets `?model=<url>` reach a model on another origin: any https origin, and loopback http for
//   local servers. Nothing else can use it, since no script but the studio's own runs.
// 'wasm-unsafe-eval' lets the worker compile the WebAssembly backend; blob: workers are what a
// threaded wasm build starts. React sets inline styles through the CSSOM, which style-src 'self'
// allows (only style attributes in markup and <style> elements would need 'unsafe-inline').
import type { Plugin } from 'vite';

function policy(directives: Record<string, string[]>): string {
  return Object.entries(directives).map(([name, values]) => [name, ...values].join(' ')).join('; ');
}

const COMMON: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'blob:', 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'object-src': ["'none'"],
};

/** The policy of the page itself, as a <meta> tag (which cannot carry frame-ancestors). */
export const PAGE_POLICY = policy(COMMON);

/** `?model=` may name a model on any https origin, or on a local server while developing. */
export const MODEL_URL_SOURCES = ['https:', 'http://localhost:*', 'http://127.0.0.1:*'];

/** The policy of every response, the worker's included. */
export const HEADER_POLICY = policy({ ...COMMON, 'connect-src': ["'self'", ...MODEL_URL_SOURCES], 'frame-ancestors': ["'none'"] });

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': HEADER_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * Writes PAGE_POLICY into the built index.html as the first element of <head>, before any script. Only at build: the
 * dev server injects inline styles and scripts (hot reload) that the policy would refuse.
 */
export function contentSecurityPolicy(): Plugin {
  return {
    name: 'secateur-content-security-policy',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      // Written as text rather than a tag descriptor, so the quotes stay readable (no &#39;).
      handler: (html) => html.replace(/<head>/i, `<head>\n    <meta http-equiv="Content-Security-Policy" content="${PAGE_POLICY}" />`),
    },
  };
}
