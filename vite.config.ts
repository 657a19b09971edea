import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { SECURITY_HEADERS, contentSecurityPolicy } from './scripts/contentSecurityPolicy.ts';

// The studio is a static site: the page bundle (React, no tfjs) and one module worker that holds
// every tfjs backend. Relative base so the build works from any folder or sub-path. The build and
// its preview carry a strict Content-Security-Policy (scripts/contentSecurityPolicy.ts).
export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: SECURITY_HEADERS },
});
