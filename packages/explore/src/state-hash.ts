// The state signature the search prunes on: everything the board's future depends on, taken at a
// scheduling point (no firmware on the host stack). Two schedules that reach the same signature
// have the same futures, so only the first is explored further.
//
// Hashed: the EL3 agent's persistent state region (lfa_lock, latch, users, pen, the component
// table, every PE's record — not the register blocks, which only carry calls in flight and are
// part of the runner's own state), PSCI's power states, the realm monitor's state region and
// per-PE tokens, each component's slot in the activation store (running version, rollback floor,
// staged, primed, activations), the SPMC's public partition state (VM and vCPU states,
// live-activation phase, the tracker, the interrupt mask) and every SP's live-state buffer; plus
// what the runner adds: each PE's program position and in-flight call, and the history the final
// checks compare against.
import { createHash } from "node:crypto";
import { EFIVAR_LAYOUT } from "@lfa-wasm/efi-vars";
import { RMM_LAYOUT, type Platform } from "@lfa-wasm/platform";
import { partitions } from "@lfa-wasm/sp-sample";

/** Live-state buffers by FF-A id (the sample SPs' and the UEFI variable SP's manifests), built on first use. */
let lsbById: Map<number, { base: number; size: number }> | null = null;

/** The live-state buffer of SP `id`, or null if the board's SP has none we know of. */
export function lsbOf(id: number): { base: number; size: number } | null {
  lsbById ??= new Map<number, { base: number; size: number }>([
    ...Object.values(partitions).flatMap((l) => (l.lsb ? [[l.id, l.lsb] as [number, { base: number; size: number }]] : [])),
    [EFIVAR_LAYOUT.id, EFIVAR_LAYOUT.lsb],
  ]);
  return lsbById.get(id) ?? null;
}

/** A 64-bit signature (16 hex digits) of `p`'s state plus the runner's `extra` state. */
export function stateSignature(p: Platform, extra: string): string {
  const h = createHash("sha1");
  h.update(p.agentStateRegion());
  const parts: unknown[] = [extra];
  parts.push(Array.from({ length: p.peCount }, (_, cpu) => p.isOn(cpu)));
  if (p.rmm) {
    h.update(new Uint8Array(p.rmm.memory.buffer, RMM_LAYOUT.stateBase, RMM_LAYOUT.stateSize));
    parts.push(p.rmm.tokens.map(String));
  }
  parts.push(
    p.components.map((c) => [c.name, c.running?.version, c.minSecurityVersion, c.staged?.length ?? 0, c.primed !== null, c.activations]),
  );
  const spmc = p.spmc;
  for (let i = 0; i < spmc.partitionCount(); i++) {
    const part = spmc.partition(i);
    parts.push([part.state, part.vcpuStates, part.lfaProgress]);
    const lsb = lsbOf(part.id);
    if (lsb) h.update(spmc.spMemory(part.id).subarray(lsb.base, lsb.base + lsb.size));
  }
  parts.push(spmc.tracker(), spmc.interruptsMasked());
  h.update(JSON.stringify(parts));
  return h.digest("hex").slice(0, 16);
}
