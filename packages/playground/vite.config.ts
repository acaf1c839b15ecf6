// `npm run playground` (dev server) and `npm run playground:build` (a static site in dist/ that
// works from any static server: relative asset URLs). COOP/COEP make the page cross-origin
// isolated, which gives performance.now() its fine resolution (5 µs instead of 100 µs).
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * <link rel=preload as=fetch> for every emitted firmware asset (.wasm, .pkg): the browser fetches
 * them while it downloads and compiles the page's script, so src/main.ts finds them ready
 * (the same credentials mode as its fetch(): same-origin, `crossorigin` anonymous).
 */
function preloadFirmware(): Plugin {
  return {
    name: "lfa-preload-firmware",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler: (_html, ctx) =>
        Object.keys(ctx.bundle ?? {})
          .filter((f) => /\.(wasm|pkg)$/.test(f))
          .sort()
          .map((f) => ({ tag: "link", attrs: { rel: "preload", as: "fetch", crossorigin: "", href: `./${f}` }, injectTo: "head" as const })),
    },
  };
}

const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  base: "./",
  plugins: [preloadFirmware()],
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  test: { include: ["test/**/*.test.ts"] },
});
