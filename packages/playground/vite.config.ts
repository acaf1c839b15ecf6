// `npm run playground` (dev server) and `npm run playground:build` (a static site in dist/ that
// works from any static server: relative asset URLs). COOP/COEP make the page cross-origin
// isolated, which gives performance.now() its fine resolution (5 µs instead of 100 µs).
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { BOOT_ASSETS } from "./src/boot-assets.js";

/**
 * <link rel=preload as=fetch> for the emitted files of the boot assets (src/boot-assets.ts): the
 * browser fetches them while it downloads and compiles the page's script, so src/main.ts finds
 * them ready (the same credentials mode as its fetch(): same-origin, `crossorigin` anonymous).
 * Only those: HTTP/1.1 gives a page 6 connections, the sample packages would queue before them.
 */
/** Whether an emitted file (assets/<stem>-<8-char hash>.<ext>) is a boot asset's .wasm/.pkg. */
function isBootFile(file: string): boolean {
  return BOOT_ASSETS.filter((s) => /\.(wasm|pkg)$/.test(s)).some((s) => {
    const name = s.slice(s.lastIndexOf("/") + 1);
    const dot = name.lastIndexOf(".");
    const head = `assets/${name.slice(0, dot)}-`;
    return file.startsWith(head) && file.endsWith(name.slice(dot)) && file.length === head.length + 8 + name.length - dot;
  });
}

function preloadFirmware(): Plugin {
  return {
    name: "lfa-preload-firmware",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler: (_html, ctx) =>
        Object.keys(ctx.bundle ?? {})
          .filter(isBootFile)
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
