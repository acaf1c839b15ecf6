// The model's own interfaces between its Wasm components and the board (not Arm ABIs, but
// shared by AssemblyScript and TypeScript all the same, so they live in this one table).
import { u32, i32 } from "./types.js";

// Address spaces the SPMC reaches through the host: 0 is the normal world's memory,
// 1 + i is the IPA space (WebAssembly.Memory) of the i-th secure partition.
export const MEM_SPACE_NWD = u32(0);
export const MEM_SPACE_SP_BASE = u32(1);
/**
 * First id of the transit spaces: pages lent or donated (FF-A MEM_LEND/DONATE) are moved out of
 * their owner's space into one of these when they are sent, so the lender no longer reaches them;
 * they go back at reclaim (lend) or stay the borrower's (donate).
 */
export const MEM_SPACE_TRANSIT_BASE = u32(0x10000);

// Results of a world switch into an SP (host "sp_run").
/** The SP returned from entry(): the FF-A call it yields with is in its vCPU context. */
export const SP_RUN_YIELDED = i32(0);
/** The SP trapped (a fatal exception: Wasm trap, abort()). */
export const SP_RUN_FAULT = i32(1);
/** The SP called FFA_ABORT through ffa_call; the host unwound it. */
export const SP_RUN_ABORT = i32(2);
/** No instance to run (destroyed or never loaded). */
export const SP_RUN_NO_INSTANCE = i32(3);

// What sp_ffa_call tells the host trampoline after handling an SP's synchronous FF-A call.
export const SP_CALL_RETURN = i32(0);
/** FFA_ABORT accepted: unwind the SP's Wasm stack (it never returns from the call). */
export const SP_CALL_UNWIND = i32(1);

// Trace events the SPMC emits through host "trace" (a, b, c, d are event-specific).
/** a = from state, b = to state, c = vm id, d = vcpu index. */
export const TRACE_VCPU_STATE = u32(1);
/** a = from state, b = to state, c = vm id. */
export const TRACE_VM_STATE = u32(2);
/** a = fid, b = x1 (sender << 16 | receiver), c = x2, d = x3: a message delivered to an SP. */
export const TRACE_MSG_TO_SP = u32(3);
/** a = fid, b = x1, c = x2, d = x3: a message the SP answered / yielded with. */
export const TRACE_MSG_FROM_SP = u32(4);
/** a = fid, b = x1, c = x2, d = x3: the SPMC's return to the other world. */
export const TRACE_RETURN_OTHER_WORLD = u32(5);
/** a = phase, c = vm id. */
export const TRACE_LFA_PHASE = u32(6);
/** a = 1 masked / 0 unmasked. */
export const TRACE_INTERRUPTS = u32(7);
/** c = vm id, a = abort action, b = 1 if during live activation. */
export const TRACE_ABORT = u32(8);
/** c = vm id, a = 0 dropped old instance + zeroed window + instantiated new. */
export const TRACE_SWAP = u32(9);
/** c = vm id, text = manifest differences / package errors (trace_text). */
export const TRACE_LA_REFUSED = u32(10);
/** c = vm id, a = manifest error code (partition not started). */
export const TRACE_MANIFEST_ERROR = u32(11);
/** c = vm id: text = FFA_CONSOLE_LOG output. */
export const TRACE_CONSOLE = u32(12);
/** c = vm id: text = what Hafnium only warns about in a manifest (the partition is loaded). */
export const TRACE_MANIFEST_WARNING = u32(13);
/**
 * c = vm id, a = 0 the old image serves again (restored and through its live-activation init),
 * 1 the rollback itself failed (the old image did not come back: the partition is aborted),
 * b = LFA phase the new image failed in (LFA_PHASE_START: its instantiation, FINISH: its init).
 */
export const TRACE_ROLLBACK = u32(14);

// SPMC options (spmc_set_options; default 0 = the model's better behaviour, docs/rollback.md).
/**
 * Hafnium: a new image that fails its live activation (its instantiation at START, or its init
 * at FINISH: abort, trap, FFA_ERROR, watchdog, wrong response) aborts the partition
 * (START/FINISH_RESP(ABORTED), the LSP answers LFA_CRITICAL_ERROR). Off: the SPMC rolls back to
 * the old image with its live-state buffer and framework state.
 */
export const SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT = u32(1 << 0);
/**
 * Not FF-A: x4 of a START_RESP / FINISH_RESP with a non-zero status when the SPMC rolled the
 * partition back to its old image (x4 is reserved, MBZ, in FF-A 1.3 ALP; an LSP that does not
 * know it still sees the failure). The LSP answers LFA_ACTIVATION_FAILED instead of
 * LFA_CRITICAL_ERROR.
 */
export const LIVE_ACTIVATION_RESP_ROLLED_BACK = u32(1);

// ---------------------------------------------------------------------------------------------
// The TF-A EL3 LFA agent (packages/tfa-agent) ↔ platform contract. See packages/tfa-agent/README.md.

// The agent's Memory (created by the platform, imported as env.memory): create it with
// { initial: AGENT_MEMORY_PAGES, maximum: AGENT_MEMORY_PAGES }. The agent's code, data and heap
// are confined to [AGENT_WINDOW_LO, AGENT_WINDOW_HI) (SP-image build, docs/architecture.md#images-confined-to-their-working-window); BL31
// self-activation zeroes that window and instantiates the new image there. Everything that
// survives a BL31 activation lives in the persistent state region [AGENT_STATE_BASE,
// AGENT_STATE_BASE + AGENT_STATE_SIZE), outside the window.
export const AGENT_MEMORY_PAGES = u32(32);
export const AGENT_WINDOW_LO = u32(0x10000);
export const AGENT_WINDOW_SIZE = u32(0x100000);
export const AGENT_WINDOW_HI = u32(0x110000);
export const AGENT_STATE_BASE = u32(0x1000);
export const AGENT_STATE_SIZE = u32(0xf000);
/** Word 0 of the state region ("LFAS"); word 1 is the layout version. */
export const AGENT_STATE_MAGIC = u32(0x5341464c);
/** Bumped whenever the state-region layout changes; bl31_warm_entry refuses a mismatch. */
export const AGENT_STATE_LAYOUT_VERSION = u32(1);
/** PEs (cpu indices 0..AGENT_MAX_PES-1) and components the state region has room for. */
export const AGENT_MAX_PES = u32(64);
export const AGENT_MAX_COMPONENTS = u32(32);

// add_component() kinds: which activator (TF-A include/services/lfa_component_desc.h lfa_component_ops) a component has.
/** No activator (e.g. BL32, BL33): not activation capable. */
export const LFA_COMPONENT_KIND_NONE = u32(0);
/** BL31 self-activation (TF-A services/std_svc/lfa/bl31_lfa.c): rendezvous required, may reset the CPU. */
export const LFA_COMPONENT_KIND_BL31 = u32(1);
/** RMM (TF-A services/std_svc/rmmd/rmmd_rmm_lfa.c): rendezvous required, no reset. */
export const LFA_COMPONENT_KIND_RMM = u32(2);
/** Secure partition (TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c): activated through the LSP (plat.sp_activate). */
export const LFA_COMPONENT_KIND_SP = u32(3);

// smc_handler / smc_resume / bl31_warm_entry results.
/** The call finished: results are in regs(cpu). */
export const AGENT_SMC_DONE = i32(0);
/** The PE waits (holding pen, or lfa_lock of a skip=0 ACTIVATE): smc_resume when pe_runnable. */
export const AGENT_SMC_PARKED = i32(1);
/** x0 is an FF-A function ID: the platform routes it to the SPMD/SPMC and writes the results. */
export const AGENT_SMC_FFA = i32(2);
/** The PE warm-resets into the normal world: entry = regs x1, context id = regs x0. */
export const AGENT_SMC_RESET = i32(3);
/** BL31 leader: swap the agent's own module in place now, then bl31_warm_entry every PE. */
export const AGENT_SMC_SWAP = i32(4);
/** cpu out of range [0, AGENT_MAX_PES). */
export const AGENT_ERR_CPU = i32(-1);
/** The call does not fit the PE's state (SMC from a parked PE, resume of an idle PE, ...). */
export const AGENT_ERR_PE_STATE = i32(-2);
/** bl31_warm_entry: the state region's magic/layout version is not this image's. */
export const AGENT_ERR_LAYOUT = i32(-3);

// Per-PE state (pe_state(cpu)).
export const AGENT_PE_IDLE = u32(0);
/** Inside the agent (an import of this PE's call is running). */
export const AGENT_PE_RUNNING = u32(1);
/** skip=0 ACTIVATE spinning on lfa_lock (before lfa_activate_prepare). */
export const AGENT_PE_WAIT_LOCK = u32(2);
/** Holding-pen follower. */
export const AGENT_PE_WAIT_PEN = u32(3);
/** Re-taking lfa_lock after the activator returned. */
export const AGENT_PE_WAIT_RELOCK = u32(4);
/** BL31 activation: waits for the swap; resumed only through bl31_warm_entry. */
export const AGENT_PE_WAIT_SWAP = u32(5);

// options(flags): TF-A quirk switches (default 0 = the specification's intent).
/** PRIME(B) after PRIME(A) completed keeps component_id = A (TF-A services/std_svc/lfa/lfa_main.c, lfa_prime). */
export const AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID = u32(1 << 0);
/** The RMM leader calls lfa_reset_activation() after the pen release (TF-A services/std_svc/rmmd/rmmd_rmm_lfa.c): CANCEL → -8 after. */
export const AGENT_OPT_TFA_RMM_RESET_ACTIVATION = u32(1 << 1);
/** BL31 with reset never runs lfa_activate_finish (users/in_progress/pending stay set). */
export const AGENT_OPT_TFA_BL31_NO_FINISH = u32(1 << 2);
/** CANCEL of a non-BL31 rendezvous activation leaves the pen's followers parked. */
export const AGENT_OPT_TFA_CANCEL_KEEPS_PEN = u32(1 << 3);
/** GET_INVENTORY leaves x4/x5 alone (TF-A returns x0..x3 only; docs/sources.md#el3-lfa-agent). */
export const AGENT_OPT_TFA_NO_INVENTORY_VERSIONS = u32(1 << 4);
/** PRIME is accepted while an activation round is in progress. */
export const AGENT_OPT_TFA_PRIME_DURING_ACTIVATION = u32(1 << 5);
/** A failed PRIME leaves prime_status STARTED for its component: every other component's PRIME answers WRONG_STATE until a CANCEL. */
export const AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED = u32(1 << 6);
/** activation_cancel_locked outlives the PEs: once every running PE entered a round, CANCEL answers BUSY until the round completes (also between CALL_AGAIN stages). */
export const AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES = u32(1 << 7);
/** Not TF-A: a rendezvous (skip=0) SP activation uses the pen; the leader activates once. */
export const AGENT_OPT_SP_RENDEZVOUS_PEN = u32(1 << 8);
/**
 * An ACTIVATE that arrives after the round's pen released its final status (the activation is
 * done, the round's other PEs are still leaving ACTIVATE) joins the round: it waits in a pen no
 * other PE enters again (TF-A). Off: it answers BUSY until the round has ended.
 */
export const AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND = u32(1 << 9);
/** Every TF-A quirk above at once (bits 0–7 and 9). */
export const AGENT_OPT_TFA_EXACT = u32(0xff | (1 << 9));
/**
 * TEST-ONLY seeded bug (never set it on a real board): the holding pen elects its leader one
 * arrival early (count == running PEs - 1), so a rendezvous activation runs while one running PE
 * is still outside the pen. The race explorer (@lfa-wasm/explore) must find it.
 */
export const AGENT_OPT_TEST_PEN_EARLY_RELEASE = u32(1 << 16);

// Trace events the agent emits through plat.trace(event, a, b, c, d).
/** a = cpu, b = fid (w0), c = x1 low, d = x2 low. */
export const TRACE_AGENT_SMC_ENTER = u32(0x100);
/** a = cpu, b = fid, c = result (AGENT_SMC_*), d = x0 low. */
export const TRACE_AGENT_SMC_RETURN = u32(0x101);
/** a = component id, b = old prime status, c = new prime status. */
export const TRACE_AGENT_PRIME_STATUS = u32(0x102);
/** a = cpu, b = component id, c = skip flag, d = activation_users after entry. */
export const TRACE_AGENT_ACTIVATION_START = u32(0x103);
/** a = cpu, b = component id, c = status (low 32 bits), d = activation_users after finish. */
export const TRACE_AGENT_ACTIVATION_FINISH = u32(0x104);
/** a = cpu, b = pen count after arrival, c = running PEs, d = 1 if leader. */
export const TRACE_AGENT_PEN_ARRIVE = u32(0x105);
/** a = releasing cpu (0xFFFFFFFF for CANCEL on behalf of none), b = status, c = PEs released. */
export const TRACE_AGENT_PEN_RELEASE = u32(0x106);
/** a = cpu, b = owner cpu, c = fid, d = 1 parked / 0 answered BUSY. */
export const TRACE_AGENT_LOCK_CONTENTION = u32(0x107);
/** a = leader cpu, b = component id, c = PEs waiting for the swap. */
export const TRACE_AGENT_SWAP = u32(0x108);
/** a = cpu, b = result (AGENT_SMC_* / AGENT_ERR_*), c = entry low, d = context id low. */
export const TRACE_AGENT_WARM_ENTRY = u32(0x109);
/** a = component id, b = status, c = 1 if the pen was released. */
export const TRACE_AGENT_CANCEL = u32(0x10a);
