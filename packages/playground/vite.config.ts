// `npm run playground` (dev server) and `npm run playground:build` (a static site in dist/ that
// works from any static server: relative asset URLs). COOP/COEP make the page cross-origin
// isolated, which gives performance.now() its fine resolution (5 µs instead of 100 µs).
import { defineConfig } from "vitest/config";

const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  base: "./",
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  test: { include: ["test/**/*.test.ts"] },
});
