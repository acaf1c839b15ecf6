// The playground page: loads every runtime asset once (the browser asset reader), boots the
// default board and wires the controls to the lab. `?autorun` runs the demo flow on load and marks
// <html data-lfa-state="done"> when it has finished ("error" if it failed).
import { memoryAssetReader, setAssetReader } from "@lfa-wasm/assets";
import { SP_COMMANDS } from "@lfa-wasm/sp-sample";
import { ASSET_URLS, BOOT_ASSET_URLS, LAYOUT_ASSET_URLS, samplePackages } from "./assets.js";
import type { PreflightReport } from "@lfa-wasm/host-driver";
import { Lab, type OpResult } from "./lab.js";
import { runDemo } from "./demo.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const fmtNs = (ns: bigint | null) => (ns === null ? "–" : Number(ns) >= 1e6 ? `${(Number(ns) / 1e6).toFixed(2)} ms` : `${(Number(ns) / 1e3).toFixed(1)} µs`);
const hex = (n: number) => "0x" + n.toString(16);
const setState = (s: string) => (document.documentElement.dataset.lfaState = s);

/** Page-load milestones (ms since navigation start), exposed for the e2e test and the README. */
const marks: Record<string, number> = {};
(window as unknown as { lfaMarks: typeof marks }).lfaMarks = marks;
const mark = (name: string) => (marks[name] = Math.round(performance.now() * 10) / 10);

let lab!: Lab;
let dropped: { name: string; bytes: Uint8Array } | null = null;
/** The dropped sp_layout.json and the files it names (null: the default board). */
let layout: { file: string; files: Map<string, Uint8Array> } | null = null;
const assets = new Map<string, Uint8Array>();
let diagramSeq = 0;

/** Fetches assets (package export → URL) not loaded yet into the page's asset reader. */
async function loadAssets(urls: Readonly<Record<string, string>>): Promise<void> {
  const entries = await Promise.all(
    Object.entries(urls)
      .filter(([spec]) => !assets.has(spec))
      .map(async ([spec, url]) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`asset ${spec}: HTTP ${r.status} for ${url}`);
        return [spec, new Uint8Array(await r.arrayBuffer())] as const;
      }),
  );
  for (const [spec, bytes] of entries) assets.set(spec, bytes);
  setAssetReader(memoryAssetReader(assets));
}

/** Boots a board (the dropped layout's, else the default); a refused board leaves the running one as it was. */
function boot(): boolean {
  const pes = Math.max(1, Math.min(8, Number($<HTMLInputElement>("pes").value) || 4));
  const seedText = $<HTMLInputElement>("seed").value.trim();
  const seed = seedText === "" ? null : Number(seedText) >>> 0;
  const notices: string[] = [];
  try {
    lab = new Lab({ pes, seed, ...(layout ? { spLayout: { file: layout.file, files: layout.files, notice: (l: string) => notices.push(l) } } : {}) });
  } catch (e) {
    const what = layout ? `the board of ${layout.file} was refused` : "boot failed";
    $("status").innerHTML = `<span class="fail" id="boot-error">${esc(what)}: ${esc((e as Error).message)}</span>${lab ? " — the running board is unchanged" : ""}`;
    return false;
  }
  const board = layout ? `the board of ${layout.file} (${[...layout.files.keys()].join(", ")})` : "the default board";
  $("status").textContent = `booted ${board} in ${lab.bootMs.toFixed(0)} ms: ${pes} PEs, scheduler ${seed === null ? "FIFO" : `seed ${seed}`}${notices.length ? ` — ${notices.join(" ")}` : ""}`;
  const images = lab.images().filter((i) => i.activationCapable);
  $("image").innerHTML = images.map((i) => `<option value="${esc(i.component ?? i.guid)}">${esc(i.component ?? i.name)} (${esc(i.guid.slice(0, 8))}…)</option>`).join("");
  const sp = images.find((i) => i.component === "sp1") ?? images.find((i) => i.component && lab.p.component(i.component).kind === "sp");
  if (sp) $<HTMLSelectElement>("image").value = sp.component!;
  const sps = lab.p.components.filter((c) => c.cfg.sp);
  $("sp").innerHTML = sps.map((c) => `<option value="${c.name}">${c.name.toUpperCase()} (${hex(c.cfg.sp!.id)})</option>`).join("");
  refresh();
  return true;
}

function packageBytes(): { name: string; bytes: Uint8Array } {
  if (dropped) return dropped;
  const name = $<HTMLSelectElement>("package").value;
  return { name, bytes: samplePackages.read(name) };
}

const MARK = { ok: "✓", fail: "✗", warn: "!", "n/a": "–" } as const;
/** The pre-flight report as `lfa check` prints it: one line per check, then its details. */
function preflightHtml(r: PreflightReport): string {
  return (
    r.checks
      .map((l) => `<span class="${l.status === "n/a" ? "na" : l.status}" data-check="${l.id}">${MARK[l.status]} ${esc(l.id)}</span>: ${esc(l.summary)}${l.details.map((d) => `\n    ${esc(d)}`).join("")}`)
      .join("\n") + `\n${r.ready ? `<span class="ok">ready</span>` : `<span class="fail">not ready</span>`} (running ${esc(r.running ?? "?")}, package ${esc(r.candidate ?? "?")})`
  );
}

function show(r: OpResult): void {
  $("result").innerHTML = `<span class="${r.ok ? "ok" : "fail"}">${esc(r.op)}: ${esc(r.message)}</span>\n${r.ms.toFixed(1)} ms, trace events ${r.trace.from}..${r.trace.to - 1}${r.log.length ? "\n" + esc(r.log.join("\n")) : ""}`;
  refresh();
}

async function renderDiagram(): Promise<void> {
  const d = lab.diagram();
  const t = d.timings;
  $("op").textContent = lab.last ? `— ${lab.last.op}` : "";
  $("timings").innerHTML = lab.last
    ? `<table><tr><th>PRIME</th><th>ACTIVATE</th><th>PEs</th><th>blackout (STOP_REQ → FINISH_RESP)</th><th>SP down (STOP_REQ → MSG_WAIT)</th><th>whole operation</th></tr>` +
      `<tr><td>${fmtNs(t.primeNs)}</td><td>${fmtNs(t.activateNs)}</td><td>${t.activatePes.join(",") || "–"}</td><td>${fmtNs(t.blackoutNs)}</td><td>${fmtNs(t.spDownNs)}</td><td>${lab.last.ms.toFixed(1)} ms</td></tr></table>`
    : "";
  if (!lab.last) return;
  const el = $("diagram");
  el.dataset.arrows = String(d.arrows);
  try {
    const mermaid = (await import("mermaid")).default;
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", sequence: { showSequenceNumbers: false }, maxTextSize: 500000 });
    const { svg } = await mermaid.render(`lfa-diagram-${++diagramSeq}`, d.text);
    el.innerHTML = svg;
  } catch (e) {
    el.innerHTML = `<pre>${esc(d.text)}</pre><p class="fail">Mermaid: ${esc((e as Error).message)}</p>`;
  }
}

function renderMemory(): void {
  $("memory").innerHTML = lab
    .memoryMap()
    .map(
      (m) =>
        `<h3>${m.name} (${hex(m.id)}) — ${m.pages} × 64 KiB</h3><table><tr><th>region</th><th>IPA</th><th>size</th><th>non-zero</th><th>changed by the last activation</th></tr>` +
        m.regions
          .map(
            (r) =>
              `<tr data-sp="${m.name}" data-region="${esc(r.label)}"><td title="${esc(r.detail)}">${esc(r.label)}<br><small>${esc(r.detail)}</small></td><td>${hex(r.base)}</td><td class="num">${r.size}</td><td class="num">${r.nonZero}</td>` +
              `<td class="num ${r.changed ? "changed" : "same"}">${r.changed === null ? "–" : r.changed === 0 ? "identical" : `${r.changed} bytes`}</td></tr>`,
          )
          .join("") +
        `</table>`,
    )
    .join("");
}

function refresh(): void {
  renderMemory();
  $("inventory").innerHTML =
    `<table><tr><th>image</th><th>current</th><th>pending</th><th>capable</th><th>pending act.</th></tr>` +
    lab
      .images()
      .map((i) => `<tr data-image="${esc(i.component ?? i.guid)}"><td>${esc(i.component ?? i.name)}</td><td>${esc(i.currentVersion)}</td><td>${esc(i.pendingVersion ?? "N/A")}</td><td>${i.activationCapable ? 1 : 0}</td><td>${i.activationPending ? 1 : 0}</td></tr>`)
      .join("") +
    `</table>`;
  $("sysfs").textContent = lab
    .sysfsTree()
    .map((e) => (e.value === null ? e.path : `${e.path} = ${e.value}`))
    .join("\n");
  $("log").textContent = lab.log.slice(-40).join("\n");
  void renderDiagram();
}

function wire(): void {
  const image = () => $<HTMLSelectElement>("image").value;
  $("reboot").onclick = () => boot();
  $("upload").onclick = () => show(lab.upload(image(), packageBytes().bytes));
  $("check").onclick = () => {
    const c = lab.check(image(), packageBytes().bytes);
    $("preflight").innerHTML = c.report ? preflightHtml(c.report) : "";
    show(c.result);
  };
  $("prime").onclick = () => show(lab.prime(image()));
  $("activate").onclick = () => show(lab.activate(image(), $<HTMLInputElement>("rendezvous").checked));
  $("cancel").onclick = () => show(lab.cancel(image()));
  $("direct").onclick = () => show(lab.direct($<HTMLSelectElement>("sp").value, Number($<HTMLSelectElement>("cmd").value)));
  $("demo").onclick = () => void demo();
  $("package").innerHTML = samplePackages.list.map((p) => `<option value="${esc(p.name)}" title="${esc(p.description)}">${esc(p.name)}</option>`).join("");
  $<HTMLSelectElement>("package").value = "sp1-v2";
  $("package").onchange = () => (dropped = null);
  $("cmd").innerHTML = SP_COMMANDS.map((c) => `<option value="${c.cmd}">${esc(c.name)}</option>`).join("");
  $<HTMLInputElement>("file").onchange = (e) => void take(Array.from((e.target as HTMLInputElement).files ?? []));
  const drop = $("drop");
  drop.ondragover = (e) => e.preventDefault();
  drop.ondrop = (e) => {
    e.preventDefault();
    void take(Array.from(e.dataTransfer?.files ?? []));
  };
  $("default-board").onclick = () => {
    layout = null;
    boot();
  };
}

/**
 * Dropped files: an sp_layout.json (with the .wasm/.dts files it names, by name) boots its board;
 * a .pkg becomes the package to upload/check.
 */
async function take(list: File[]): Promise<void> {
  if (!list.length) return;
  const read = await Promise.all(list.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())] as const));
  const jsons = read.filter(([n]) => n.endsWith(".json")).map(([n]) => n);
  const pkgs = read.filter(([n]) => n.endsWith(".pkg"));
  const lines: string[] = [];
  if (jsons.length > 1) lines.push(`<span class="fail">${esc(jsons.join(", "))}: drop one sp_layout.json at a time</span>`);
  else if (jsons.length === 1) {
    const before = layout;
    layout = { file: jsons[0]!, files: new Map(read.filter(([n]) => !n.endsWith(".pkg"))) };
    try {
      await loadAssets(LAYOUT_ASSET_URLS);
    } catch (e) {
      lines.push(`<span class="fail">${esc((e as Error).message)}</span>`);
    }
    if (boot()) lines.push(`<span class="ok">booted the board of ${esc(layout.file)}</span>`);
    else {
      lines.push(`<span class="fail">${esc($("status").textContent ?? "")}</span>`);
      layout = before;
    }
  }
  if (pkgs.length) {
    dropped = { name: pkgs[0]![0], bytes: pkgs[0]![1] };
    lines.push(`using dropped file ${esc(dropped.name)} (${dropped.bytes.length} bytes) for upload/check`);
  } else if (!jsons.length) lines.push(`<span class="fail">${esc(read.map(([n]) => n).join(", "))}: drop a .pkg (to upload) or an sp_layout.json with the files it names</span>`);
  $("result").innerHTML = lines.join("\n");
}

async function demo(): Promise<void> {
  setState("running");
  try {
    const out = runDemo(lab, samplePackages.read("sp1-v2"));
    $("result").innerHTML =
      out.steps.map((s) => `<span class="${s.result.ok ? "ok" : "fail"}">${esc(s.title)}</span>: ${esc(s.result.message)}`).join("\n") +
      `\n\nSP1 ${out.versionBefore} → <b id="sp1-version">${out.versionAfter}</b>; counter ${out.countersBefore.join(", ")} → <b id="sp1-counter">${out.counterAfter}</b> (${out.ok ? "continued" : "NOT continued"})`;
    refresh();
    await renderDiagram();
    mark("demo-done");
    setState(out.ok ? "done" : "error");
  } catch (e) {
    $("result").innerHTML = `<span class="fail">demo failed: ${esc((e as Error).message)}</span>`;
    setState("error");
  }
}

async function start(): Promise<void> {
  setState("loading");
  mark("script-start");
  await loadAssets(BOOT_ASSET_URLS);
  mark("assets-loaded");
  const samples = loadAssets(ASSET_URLS); // the packages to upload: fetched while the board boots
  wire();
  boot();
  mark("booted");
  await samples;
  mark("samples-loaded");
  setState("booted");
  $("status").textContent += ` — page load to booted board ${marks.booted!.toFixed(0)} ms (assets ${(marks["assets-loaded"]! - marks["script-start"]!).toFixed(0)} ms)`;
  if (new URLSearchParams(location.search).has("autorun")) await demo();
}

start().catch((e) => {
  $("status").textContent = `failed: ${(e as Error).message}`;
  setState("error");
});
