// Page load → booted board in headless Chromium, N cold loads of the built site (dist/):
// `node scripts/measure.mjs [runs] [--screenshot FILE]`. Prints the page's own milestones
// (performance.now() since navigation start): script start, assets fetched, board booted, and the
// ?autorun demo's end. Same server and Chromium flags as test/e2e.test.ts.
import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
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
const rows = [];
for (let i = 0; i < runs; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(url + "?autorun");
  await page.waitForFunction(() => ["done", "error"].includes(document.documentElement.dataset.lfaState ?? ""), null, { timeout: 120000 });
  const m = await page.evaluate(() => ({ ...window.lfaMarks, boot: Number(/in (\d+) ms/.exec(document.getElementById("status").textContent)?.[1]) }));
  rows.push(m);
  console.log(`run ${i + 1}: script start ${m["script-start"]} ms, assets ${m["assets-loaded"]} ms, booted ${m.booted} ms (boot itself ${m.boot} ms), demo done ${m["demo-done"]} ms`);
  if (shot && i === runs - 1) {
    await page.waitForSelector("#diagram svg");
    await page.screenshot({ path: shot });
  }
  await ctx.close();
}
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[rows.length >> 1];
console.log(`median of ${runs}: script start ${med("script-start")} ms, assets loaded ${med("assets-loaded")} ms, booted ${med("booted")} ms (boot ${med("boot")} ms), demo done ${med("demo-done")} ms`);
await browser.close();
server.close();
