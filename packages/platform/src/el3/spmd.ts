// The SPM dispatcher at EL3 (TF-A services/std_svc/spmd): FF-A calls the normal world makes reach
// the SPMC through here, and the SPMD's logical partition (the LSP, @lfa-wasm/lsp, id 0xFFC0) —
// the LFA agent's SP activator — sends its live-activation framework messages to the SPMC as a
// synchronous SPMD → SPMC entry.
//
// Like TF-A's spmd_smc_handler for a call that is not of secure origin, the SPMD answers itself
// what the normal world may not do and forwards the rest: a direct request whose source or
// destination is an SPMD logical partition, or whose source is a secure endpoint (an SP, the SPMC,
// the SPMD itself), is refused with FFA_ERROR(INVALID_PARAMETERS) — the normal world cannot speak
// for the secure world, so no framework message (LSP live activation, SPMD PSCI/VERSION) can come
// from it; the secure-world-only ABIs get NOT_SUPPORTED (NORMAL_WORLD_RESUME: DENIED); every
// function id TF-A does not forward is NOT_SUPPORTED.
import * as abi from "@lfa-wasm/abi";
import { type Spmc, ffaMessageName } from "@lfa-wasm/spmc";
import type { Trace } from "@lfa-wasm/trace";
import { LSP_ASSET, readAsset } from "../assets.js";
import { hex } from "../pe.js";
import { uuidWords } from "../uuid.js";

interface LspExports {
  memory: WebAssembly.Memory;
  regs(): number;
  lfa_sp_activate(id: number, u0: number, u1: number, u2: number, u3: number, base: number, pages: number): bigint;
  sp_activate_last_step(): number;
}

/** What the SP activator needs of a component: its UUID, FF-A id and secure staging area. */
export interface SpTarget {
  name: string;
  uuid: string;
  sp?: { id: number; staging: { base: number; size: number } };
  /** Whether PRIME left an authenticated image in the staging area. */
  primed: boolean;
}

const LSP_EP = hex(abi.SPMD_LP_ID_START);
/** The LSP image, compiled once per process (every board instantiates it). */
let lspModule: WebAssembly.Module | undefined;

/**
 * The function ids TF-A's SPMD forwards from the normal world to the SPMC (spmd_smc_handler at
 * TF-A 6a164dda7, services/std_svc/spmd/spmd_main.c: the forward, nw_only_forward and
 * forward_to_other_world cases; FFA_VERSION, FFA_ID_GET and FFA_SPM_ID_GET are answered by the
 * SPMC here, with the values the SPMD would give). Direct requests are forwarded after their
 * endpoint checks (directRequestRefusal).
 */
const NS_FORWARDED = new Set<number>([
  abi.FFA_ERROR_32, abi.FFA_SUCCESS_32, abi.FFA_SUCCESS_64, abi.FFA_VERSION_32, abi.FFA_FEATURES_32,
  abi.FFA_ID_GET_32, abi.FFA_SPM_ID_GET_32, abi.FFA_PARTITION_INFO_GET_32, abi.FFA_PARTITION_INFO_GET_REGS_64,
  abi.FFA_RX_RELEASE_32, abi.FFA_RXTX_MAP_32, abi.FFA_RXTX_MAP_64, abi.FFA_RXTX_UNMAP_32, abi.FFA_RX_ACQUIRE_32,
  abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.FFA_MSG_SEND_DIRECT_REQ_64, abi.FFA_MSG_SEND_DIRECT_REQ2_64,
  abi.FFA_MSG_SEND_DIRECT_RESP_32, abi.FFA_MSG_SEND_DIRECT_RESP_64, abi.FFA_MSG_SEND_DIRECT_RESP2_64,
  abi.FFA_MSG_SEND_32, abi.FFA_MSG_SEND2_32, abi.FFA_RUN_32,
  abi.FFA_NOTIFICATION_BITMAP_CREATE_32, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, abi.FFA_NOTIFICATION_BIND_32,
  abi.FFA_NOTIFICATION_UNBIND_32, abi.FFA_NOTIFICATION_SET_32, abi.FFA_NOTIFICATION_GET_32,
  abi.FFA_NOTIFICATION_INFO_GET_32, abi.FFA_NOTIFICATION_INFO_GET_64, abi.FFA_NS_RES_INFO_GET_64,
  abi.FFA_MEM_DONATE_32, abi.FFA_MEM_DONATE_64, abi.FFA_MEM_LEND_32, abi.FFA_MEM_LEND_64,
  abi.FFA_MEM_SHARE_32, abi.FFA_MEM_SHARE_64, abi.FFA_MEM_RETRIEVE_REQ_32, abi.FFA_MEM_RETRIEVE_REQ_64,
  abi.FFA_MEM_RETRIEVE_RESP_32, abi.FFA_MEM_RELINQUISH_32, abi.FFA_MEM_RECLAIM_32, abi.FFA_MEM_FRAG_RX_32,
  abi.FFA_MEM_FRAG_TX_32,
]);

/** An SPMD logical partition id (TF-A is_spmd_lp_id: SPMD_LP_ID_START..SPMD_LP_ID_END). */
export const isSpmdLpId = (id: number): boolean => id >= abi.SPMD_LP_ID_START && id <= abi.SPMD_LP_ID_END;

/** The world bit of an endpoint id (TF-A ffa_is_secure_world_id). */
const isSecureId = (id: number): boolean => (id & abi.FFA_SECURE_ID_BIT) !== 0;

export class Spmd {
  private readonly lsp: LspExports;
  /** The LSP's register block (its memory has a fixed size: the view stays valid). */
  private lspRegs: BigUint64Array | null = null;

  /** The LSP's own memory. */
  get lspMemory(): WebAssembly.Memory {
    return this.lsp.memory;
  }

  constructor(
    private readonly spmc: Spmc,
    private readonly trace: Trace,
    /** The PE executing firmware right now (for the trace). */
    private readonly pe: () => number | undefined,
    /** The LSP has the SPMC's answer: other PEs may run before it continues (a preemption point). */
    private readonly preempt: () => void = () => {},
  ) {
    this.lsp = new WebAssembly.Instance((lspModule ??= new WebAssembly.Module(readAsset(LSP_ASSET) as Uint8Array<ArrayBuffer>)), {
      env: { abort: () => { throw new Error("LSP abort()"); } },
      spmd: { ffa_call: () => this.lspFfaCall() },
    }).exports as unknown as LspExports;
  }

  /**
   * An FF-A call from the normal world on x0..x17, answered in place: refused by the SPMD itself
   * (FFA_ERROR in x0..x7, x8..x17 as the caller left them: TF-A's spmd_ffa_error_return) or
   * handed to the SPMC. `words` is the same block as 32-bit words (the caller's cached view).
   */
  fromNormalWorld(regs: BigUint64Array, words: Uint32Array = new Uint32Array(regs.buffer, regs.byteOffset, 36)): void {
    const fid = words[0]!;
    const refusal = this.normalWorldRefusal(fid, words[2]!);
    if (refusal === null) {
      this.spmc.callRegs(regs);
      return;
    }
    this.trace.record({ kind: "ffa", name: "spmd-refused", pe: this.pe(), from: hex(abi.HF_OTHER_WORLD_ID), to: "spmd", detail: { fid: hex(fid), x1: hex(regs[1]!), error: refusal.code, why: refusal.why } });
    regs.fill(0n, 0, 8);
    regs[0] = BigInt(abi.FFA_ERROR_32);
    regs[2] = BigInt(refusal.code >>> 0);
  }

  /** What TF-A's SPMD answers itself to a normal-world call (null: forward it to the SPMC). */
  private normalWorldRefusal(fid: number, w1: number): { code: number; why: string } | null {
    // REQ2 needs FF-A v1.2 on both sides (get_common_ffa_version: the lower of the two).
    if (fid === abi.FFA_MSG_SEND_DIRECT_REQ2_64 && Math.min(this.spmc.otherWorldFfaVersion(), abi.FFA_VERSION_COMPILED) < abi.FFA_VERSION_1_2) {
      return { code: abi.FFA_NOT_SUPPORTED, why: "DIRECT_REQ2 below FF-A v1.2" };
    }
    if (fid === abi.FFA_MSG_SEND_DIRECT_REQ_32 || fid === abi.FFA_MSG_SEND_DIRECT_REQ_64 || fid === abi.FFA_MSG_SEND_DIRECT_REQ2_64) {
      return directRequestRefusal(w1);
    }
    if (fid === abi.FFA_NORMAL_WORLD_RESUME_32) return { code: abi.FFA_DENIED, why: "no secure interrupt is being handled" };
    return NS_FORWARDED.has(fid) ? null : { code: abi.FFA_NOT_SUPPORTED, why: "not an ABI the normal world may invoke" };
  }

  /** The SP activator (TF-A's LSP): PARTITION_INFO_GET_REGS checks, then START and FINISH. */
  spActivate(target: SpTarget | undefined): bigint {
    const sp = target?.sp;
    const w = target ? uuidWords(target.uuid) : [0, 0, 0, 0];
    const base = sp && target.primed ? sp.staging.base : 0;
    const pages = sp ? sp.staging.size / abi.FFA_PAGE_SIZE : 0;
    this.trace.record({ kind: "lfa", name: "sp-activate", pe: this.pe(), to: target?.name, detail: { id: sp ? hex(sp.id) : "none", base: hex(base), pages } });
    const r = this.lsp.lfa_sp_activate(sp?.id ?? 0, w[0]!, w[1]!, w[2]!, w[3]!, base, pages);
    this.trace.record({ kind: "lfa", name: "sp-activate-done", pe: this.pe(), to: target?.name, detail: { status: Number(r), step: this.lsp.sp_activate_last_step() } });
    return r;
  }

  /** The LSP's synchronous SPMD → SPMC entry on its register block. */
  private lspFfaCall(): void {
    const r = (this.lspRegs ??= new BigUint64Array(this.lsp.memory.buffer, this.lsp.regs(), 18));
    const name = () => ffaMessageName(Number(r[0]! & 0xffffffffn), Number(r[2]! & 0xffffffffn));
    const regs = () => ({ x0: hex(r[0]!), x1: hex(r[1]!), x2: hex(r[2]!), x3: hex(r[3]!) });
    if (this.trace.enabled) this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: LSP_EP, to: "spmc", detail: regs() });
    this.spmc.callRegsFromSpmd(r); // EL3 logical partition: not bound by the normal world's FFA_VERSION
    if (this.trace.enabled) this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: "spmc", to: LSP_EP, detail: regs() });
    // The LSP runs on every PE with its own register context in TF-A; here one module serves all
    // PEs, so its register block is kept across whatever other PEs do at the preemption point.
    const answer = r.slice();
    this.preempt();
    r.set(answer);
  }
}

/**
 * TF-A's direct-request checks (spmd_smc_handler, FFA_MSG_SEND_DIRECT_REQ*): an SPMD logical
 * partition never receives a direct message and the normal world never sends as one; a
 * normal-world request must have a normal-world source. Both: FFA_ERROR(INVALID_PARAMETERS).
 * `w1` is w1 (x1's low 32 bits: source and destination ids).
 */
function directRequestRefusal(w1: number): { code: number; why: string } | null {
  const src = (w1 >>> abi.FFA_SENDER_SHIFT) & abi.FFA_ID_MASK;
  const dst = w1 & abi.FFA_ID_MASK;
  if (isSpmdLpId(src) || isSpmdLpId(dst)) return { code: abi.FFA_INVALID_PARAMETERS, why: `an SPMD logical partition as ${isSpmdLpId(src) ? "source" : "destination"} (${hex(isSpmdLpId(src) ? src : dst)})` };
  if (isSecureId(src)) return { code: abi.FFA_INVALID_PARAMETERS, why: `secure source ${hex(src)} from the normal world` };
  return null;
}
