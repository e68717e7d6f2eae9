import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server forwards the API and the socket to a local netcanvas server,
// so the app always talks same-origin (its session lives in this origin's localStorage:
// open the dev server's address with the `#login=<code>` of `netcanvas login`).
const server = process.env.NETCANVAS_SERVER ?? 'http://127.0.0.1:7878';

// `--mode bench` builds the benchmark page (bench/index.html, its own entry)
// into bench/dist, for `pnpm bench` alone: the app's build (dist/) has none of it.
export default defineConfig(({ mode }) => ({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true, changeOrigin: false },
    },
  },
  build:
    mode === 'bench'
      ? {
          outDir: 'bench/dist',
          emptyOutDir: true,
          chunkSizeWarningLimit: 2500,
          rollupOptions: {
            input: fileURLToPath(new URL('./bench/index.html', import.meta.url)),
          },
        }
      : { chunkSizeWarningLimit: 2500 },
}));
