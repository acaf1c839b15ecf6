// `npm run reliability` (node --expose-gc packages/reliability/dist/cli.js): the harness at full
// size — 10^6 fuzzed calls, 10^4 mutants, the fault table, 10^4 soak activations — printed as the
// README's Reliability section (markdown), or JSON with --json. --quick runs the sizes `npm test`
// runs; --only fuzz,mutants,faults,soak picks parts; --seed N.
import { cpus } from "node:os";
import { FULL_SIZES, QUICK_SIZES, faultTable, fuzz, mutants, soak } from "./index.js";

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes("--quick");
  const json = argv.includes("--json");
  const only = (argv[argv.indexOf("--only") + 1] ?? "").split(",");
  const want = (part: string) => !argv.includes("--only") || only.includes(part);
  const seedAt = argv.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 1;
  const size = quick ? QUICK_SIZES : FULL_SIZES;
  const out: Record<string, unknown> = { seed, size: quick ? "quick" : "full", node: process.version, cpus: `${cpus().length}× ${cpus()[0]?.model ?? "?"}`, date: new Date().toISOString() };
  const log = (s: string) => {
    if (!json) console.log(s);
  };
  let failed = false;

  log(`## Reliability\n\nReproduce: \`npm run reliability\` (full sizes, seed ${seed}; \`-- --quick\` for the sizes \`npm test\` runs). ${out.cpus}, Node ${out.node}, ${out.date}.\n`);
  if (want("fuzz")) {
    const f = fuzz({ calls: size.fuzzCalls, seed });
    out.fuzz = f;
    failed ||= f.failure !== null;
    log(`### SMC/FF-A fuzz\n\n| calls | calls/s | random LFA / FF-A / PSCI / unknown | legitimate requests | activations | memory checks | failure |\n| ---: | ---: | --- | ---: | ---: | ---: | --- |`);
    log(`| ${f.calls} | ${f.callsPerSecond} | ${f.random.lfa} / ${f.random.ffa} / ${f.random.psci} / ${f.random.other} (${f.random.parked} parked) | ${f.legitimateRequests} | ${f.activations} | ${f.memoryChecks} | ${f.failure ? `call ${f.failure.call} (seed ${seed}): ${f.failure.what}` : "none"} |\n`);
  }
  if (want("mutants")) {
    const m = mutants({ count: size.mutants, seed });
    out.mutants = m;
    failed ||= m.failure !== null;
    log(`### Mutants (${m.total.mutants} in ${m.seconds.toFixed(1)} s)\n\n| kind | mutants | refused: build | upload | PRIME | START | activated (answers differ / lost when replaced) | failed, SP still serving | SP aborted in the new image's init |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
    for (const [k, o] of [...Object.entries(m.byKind), ["total", m.total] as const]) {
      log(`| ${k} | ${o.mutants} | ${o.refusedAtBuild} | ${o.refusedAtUpload} | ${o.refusedAtPrime} | ${o.refusedAtStart} | ${o.activated} (${o.activatedDiffers} / ${o.lostAtReplacement}) | ${o.failedStillServing} | ${o.spAborted} |`);
    }
    log(`\nFailure: ${m.failure ? `mutant ${m.failure.mutant} (${m.failure.kind}): ${m.failure.what}` : "none"}. Sample reasons (digits folded):\n`);
    for (const [stage, rs] of Object.entries(m.reasons)) for (const r of rs.slice(0, 3)) log(`- ${stage}: ${r.length > 200 ? `${r.slice(0, 200)}…` : r}`);
    log("");
  }
  if (want("faults")) {
    const rows = faultTable();
    out.faults = rows;
    log(`### Faults at every live-activation phase (SP1 v1 → v2; SP1 had served 2 requests)\n\n| phase | fault | outcome | SP1 after | counter kept | SP2 activates after |\n| --- | --- | --- | --- | --- | --- |`);
    for (const r of rows) log(`| ${r.phase} | ${r.fault} | ${r.outcome.replace(/\|/g, "\\|")} | ${r.sp1} | ${r.stateKept === null ? "–" : r.stateKept ? "yes" : "NO"} | ${r.boardGoesOn ? "yes" : "NO"} |`);
    failed ||= rows.some((r) => r.stateKept === false || !r.boardGoesOn);
    log("");
  }
  if (want("soak")) {
    const s = await soak({ activations: size.soakActivations, seed });
    out.soak = s;
    log(`### Soak (${s.activations} alternating v1/v2 activations of SP1 through the driver, ${s.requests} requests, trace on, ${s.seconds.toFixed(1)} s)\n`);
    log(`| per activation, first 10 % (wall / CPU) | last 10 % (wall / CPU) | last ÷ first (wall / CPU) | RSS after 10 % | RSS at the end | growth | trace kept / capacity (dropped) | counters SP1 / SP2 |\n| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |`);
    log(`| ${s.firstTenthMs.toFixed(2)} / ${s.firstTenthCpuMs.toFixed(2)} ms | ${s.lastTenthMs.toFixed(2)} / ${s.lastTenthCpuMs.toFixed(2)} ms | ${s.timeRatio.toFixed(2)}× / ${s.cpuRatio.toFixed(2)}× | ${s.rssAfterTenthMiB.toFixed(1)} MiB | ${s.rssEndMiB.toFixed(1)} MiB | ${s.rssGrowthPercent.toFixed(1)} %${s.gcExposed ? "" : " (no gc)"} | ${s.traceEvents.kept} / ${s.traceEvents.capacity} (${s.traceEvents.dropped}) | ${s.counters.sp1} / ${s.counters.sp2} (exact) |\n`);
  }
  if (json) console.log(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
