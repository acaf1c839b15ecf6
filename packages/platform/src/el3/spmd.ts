// The SPM dispatcher at EL3 (TF-A services/std_svc/spmd): FF-A calls the normal world makes reach
// the SPMC through here, and the SPMD's logical partition (the LSP, @lfa-wasm/lsp, id 0xFFC0) —
// the LFA agent's SP activator — sends its live-activation framework messages to the SPMC as a
// synchronous SPMD → SPMC entry.
import * as abi from "@lfa-wasm/abi";
import { type Spmc, ffaMessageName } from "@lfa-wasm/spmc";
import type { Trace } from "@lfa-wasm/trace";
import { readFileSync } from "node:fs";
import { LSP_WASM } from "../firmware.js";
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

export class Spmd {
  private readonly lsp: LspExports;

  constructor(
    private readonly spmc: Spmc,
    private readonly trace: Trace,
    /** The PE executing firmware right now (for the trace). */
    private readonly pe: () => number | undefined,
  ) {
    this.lsp = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(LSP_WASM)), {
      env: { abort: () => { throw new Error("LSP abort()"); } },
      spmd: { ffa_call: () => this.lspFfaCall() },
    }).exports as unknown as LspExports;
  }

  /** An FF-A call from the normal world, handed to the SPMC in place on x0..x17. */
  fromNormalWorld(regs: BigUint64Array): void {
    this.spmc.callRegs(regs);
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
    const r = new BigUint64Array(this.lsp.memory.buffer, this.lsp.regs(), 18);
    const name = () => ffaMessageName(Number(r[0]! & 0xffffffffn), Number(r[2]! & 0xffffffffn));
    const regs = () => ({ x0: hex(r[0]!), x1: hex(r[1]!), x2: hex(r[2]!), x3: hex(r[3]!) });
    this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: LSP_EP, to: "spmc", detail: regs() });
    this.spmc.callRegsFromSpmd(r); // EL3 logical partition: not bound by the normal world's FFA_VERSION
    this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: "spmc", to: LSP_EP, detail: regs() });
  }
}
