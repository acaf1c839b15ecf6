// Deterministic scheduling of PEs (docs/architecture.md#deterministic-single-threaded-many-pes): PEs are execution contexts, not threads; the
// board picks which ready PE runs next either from a fixed priority order or from a seeded PRNG,
// so a race can be replayed (same seed → same interleaving → same trace).

/** mulberry32: a tiny, fast, seedable PRNG (uniform u32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** How the next PE is picked among the ready ones. */
export type SchedulePolicy = { seed: number } | { order: number[] };

/** Picks one of `ready` (ascending PE indices, non-empty). */
export type Picker = (ready: number[]) => number;

export function makePicker(policy: SchedulePolicy | undefined, fallbackOrder: number[]): Picker {
  if (policy && "seed" in policy) {
    const rnd = mulberry32(policy.seed);
    return (ready) => ready[rnd() % ready.length]!;
  }
  const order = policy?.order ?? fallbackOrder;
  const rank = (cpu: number) => {
    const i = order.indexOf(cpu);
    return i < 0 ? order.length + cpu : i;
  };
  return (ready) => ready.reduce((best, c) => (rank(c) < rank(best) ? c : best));
}
