// The model's own interfaces between its Wasm components and the board (not Arm ABIs, but
// shared by AssemblyScript and TypeScript all the same, so they live in this one table).
import { u32, i32 } from "./types.js";

// Address spaces the SPMC reaches through the host: 0 is the normal world's memory,
// 1 + i is the IPA space (WebAssembly.Memory) of the i-th secure partition.
export const MEM_SPACE_NWD = u32(0);
export const MEM_SPACE_SP_BASE = u32(1);

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
