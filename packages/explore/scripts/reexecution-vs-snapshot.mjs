// Measures what one schedule's starting point costs: booting a fresh board and running a
// scenario's setup (what the explorer does) versus copying the board's Wasm memories back (a
// memory snapshot — which would still not restore the instances' globals: AssemblyScript keeps
// module-level variables, the stack pointer and the allocator's state in Wasm globals).
// Usage: node scripts/reexecution-vs-snapshot.mjs [scenario] (after npm run build)
import { BoardFactory, loadScenario } from "@lfa-wasm/explore";

const s = loadScenario(process.argv[2] ?? "rmm-cancel-4pe");
const f = new BoardFactory(s);
const N = 100;
const measure = (fn) => {
  for (let i = 0; i < 10; i++) fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn();
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000 / N, wallMs: (performance.now() - t0) / N };
};
const boot = measure(() => f.setup(f.boot()));
const p = f.boot();
f.setup(p);
const memories = [p.agentMemory, p.rmm?.memory, ...p.components.filter((c) => c.cfg.sp).map((c) => ({ buffer: p.spmc.spMemory(c.cfg.sp.id).buffer }))].filter(Boolean);
const bytes = memories.reduce((a, m) => a + m.buffer.byteLength, 0);
const saved = memories.map((m) => new Uint8Array(m.buffer).slice());
const restore = measure(() => memories.forEach((m, i) => new Uint8Array(m.buffer).set(saved[i])));
const fmt = (m) => `${m.cpuMs.toFixed(2)} ms CPU, ${m.wallMs.toFixed(2)} ms wall`;
console.log(`${s.name} (${s.board.preset ?? "default"} board, ${p.peCount} PEs)`);
console.log(`  fresh board + setup:                 ${fmt(boot)}`);
console.log(`  restore ${(bytes / 2 ** 20).toFixed(1)} MiB of memories (no globals): ${fmt(restore)}`);
