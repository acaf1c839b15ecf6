// Page load → interactive booted board in headless Chromium: N cold loads (a fresh browser
// context each) of the built site (dist/), served with COOP/COEP like test/e2e.test.ts:
// `node scripts/measure.mjs [runs] [--screenshot FILE]`. Per run it prints, in ms since navigation
// start (performance.now() in the page): the HTML received, the page script received, the script
// starting (its module graph evaluated), the boot assets loaded, the board booted and drawn
// (controls wired: interactive), the sample packages loaded, and the ?autorun demo's end; then the medians and the load average.
import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const DIST = resolve(fileURLToPath(new URL("../dist", import.meta.url)));
const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const shotAt = args.indexOf("--screenshot");
const shot = shotAt >= 0 ? args[shotAt + 1] : null;
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  let file = join(DIST, normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  if (!file.startsWith(DIST) || !existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.LFA_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const load0 = loadavg()[0];
const rows = [];
const r1 = (x) => Math.round(x * 10) / 10;
for (let i = 0; i < runs; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(url + "?autorun");
  await page.waitForFunction(() => ["done", "error"].includes(document.documentElement.dataset.lfaState ?? ""), null, { timeout: 120000 });
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const script = performance.getEntriesByType("resource").find((r) => r.initiatorType === "script" && /\/index-[^/]*\.js$/.test(r.name));
    return { ...window.lfaMarks, html: nav.responseEnd, js: script?.responseEnd ?? NaN, boot: Number(/in (\d+) ms/.exec(document.getElementById("status").textContent)?.[1]) };
  });
  for (const k of Object.keys(m)) m[k] = r1(m[k]);
  rows.push(m);
  console.log(`run ${i + 1}: html ${m.html}, script received ${m.js}, script start ${m["script-start"]}, assets ${m["assets-loaded"]}, booted ${m.booted} (boot itself ${m.boot}), samples ${m["samples-loaded"]}, demo done ${m["demo-done"]} ms`);
  if (shot && i === runs - 1) {
    await page.waitForSelector("#diagram svg");
    await page.screenshot({ path: shot, fullPage: true });
  }
  await ctx.close();
}
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[rows.length >> 1];
console.log(
  `median of ${runs}: html ${med("html")}, script received ${med("js")}, script start ${med("script-start")}, assets loaded ${med("assets-loaded")}, ` +
    `booted ${med("booted")} (boot ${med("boot")}), samples loaded ${med("samples-loaded")}, demo done ${med("demo-done")} ms; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
);
await browser.close();
server.close();
