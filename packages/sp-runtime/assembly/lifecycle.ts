// The partition's side of the FF-A lifecycle: the first entry (cold boot, or the live-activation
// init when the manifest's live-activation-register holds 1), the message loop, and the framework
// messages the SPMC sends (FF-A v1.3 §18.3: PARTITION_STOP_REQ → PARTITION_STOP_RESP with the
// live-state buffer's base and size, PSCI and VM creation/destruction answered as Hafnium's test
// SPs do). The SP registers hooks (plain functions, no closures) and exports spEntry as `entry`.
import {
  FFA_FRAMEWORK_MSG_BIT, FFA_FRAMEWORK_MSG_FUNC_MASK, FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ,
  FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP, FFA_FRAMEWORK_MSG_PSCI_REQ, FFA_FRAMEWORK_MSG_PSCI_RESP,
  FFA_FRAMEWORK_MSG_VM_CREATION_REQ, FFA_FRAMEWORK_MSG_VM_CREATION_RESP,
  FFA_FRAMEWORK_MSG_VM_DESTRUCTION_REQ, FFA_FRAMEWORK_MSG_VM_DESTRUCTION_RESP,
  FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_NOT_SUPPORTED, HF_SPMC_VM_ID,
  LIVE_STATE_OK,
} from "@lfa-wasm/abi/assembly";
import { directResp, ffaAbort, idGet, msgWait } from "./ffa";
import { reg, receiverOf, senderOf } from "./regs";
import { spHeapSample } from "./heap";
import {
  liveStateBase, liveStateColdBoot, liveStateConfigure, liveStateLiveInit, liveStateManaged,
  liveStateSize, liveStateStop,
} from "./live-state";

// ---------------------------------------------------------------------------------------------
// Configuration (from the partition's manifest; the generated entry wrapper calls spConfigure)
// ---------------------------------------------------------------------------------------------

let laReg: i32 = -1;
let winLo: usize = 0;
let winHi: usize = 0;
let rxBase: usize = 0;
let txBase: usize = 0;
let rxtxBytes: u32 = 0;

/**
 * The partition's layout: its working window [loadAddress, loadAddress + memSize), its
 * live-state buffer (lsbBytes 0: none), RX/TX buffers (rxtx 0: none) and its
 * live-activation-register (-1: it cannot be live activated). Addresses are IPAs (offsets in the
 * partition's Memory).
 */
export function spConfigure(
  loadAddress: usize, memSize: usize, lsb: usize, lsbBytes: u32, rx: usize, tx: usize, rxtx: u32,
  liveActivationRegister: i32,
): void {
  winLo = loadAddress;
  winHi = loadAddress + memSize;
  liveStateConfigure(lsb, lsbBytes);
  rxBase = rx;
  txBase = tx;
  rxtxBytes = rxtx;
  laReg = liveActivationRegister;
}

export function windowBase(): usize { return winLo; }
export function windowEnd(): usize { return winHi; }
export function rxBuffer(): usize { return rxBase; }
export function txBuffer(): usize { return txBase; }
/** Bytes of each of RX and TX; 0: no buffers. */
export function rxtxSize(): u32 { return rxtxBytes; }

// ---------------------------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------------------------

/**
 * A partition message (w2 = 0) or a framework message the runtime does not handle itself. The
 * hook leaves the yielding call in the block: a directResp(is64, sender, receiver, …) (or
 * ffaYield()); x3..x7 of the request are reg(3)..reg(7).
 */
export type RequestHook = (is64: bool, sender: u32, receiver: u32, w2: u32) => void;

let initHook: ((live: bool) => void) | null = null;
let requestHook: RequestHook | null = null;
let stopHook: ((receiver: u32) => u32) | null = null;
let messageHook: ((fid: u32) => void) | null = null;

/**
 * First entry: live = true when the image was live activated (the live-activation register
 * held 1; with liveStateUse the buffer is already validated, migrated and restored), false at
 * cold boot. May call ffaAbort() to refuse the activation.
 */
export function onInit(fn: (live: bool) => void): void { initHook = fn; }
/** Direct requests (see RequestHook). Without one every request is answered FFA_NOT_SUPPORTED. */
export function onRequest(fn: RequestHook): void { requestHook = fn; }
/**
 * PARTITION_STOP_REQ from the SPMC: return 0 to accept (the buffer is then saved and sealed and
 * its base/size reported) or an FF-A error code (as u32) to refuse. Without one: accept.
 */
export function onStop(fn: (receiver: u32) => u32): void { stopHook = fn; }
/** Any other message the SP is entered with (FFA_RUN, FFA_INTERRUPT, …). Without one: FFA_MSG_WAIT. */
export function onMessage(fn: (fid: u32) => void): void { messageHook = fn; }

// ---------------------------------------------------------------------------------------------
// Entry
// ---------------------------------------------------------------------------------------------

let booted = false;
let ownId: u32 = 0;

/** Whether the first entry has run. */
export function spBooted(): bool { return booted; }
/** This partition's ID (FFA_ID_GET at boot, else the receiver of the first message). */
export function spOwnId(): u32 { return ownId; }
export function spSetOwnId(id: u32): void { ownId = id; }

/**
 * One world switch into the SP: export it as `entry` (the generated wrapper does), with
 * spHeapTop as `__heap_top`. An SP with an entry of its own calls spEntrySampled() at its end.
 */
export function spEntry(): void {
  entryBody();
  spEntrySampled();
}

/** The end of every world switch: the window's high-water mark (heap.ts). */
export function spEntrySampled(): void {
  spHeapSample(winHi);
}

function entryBody(): void {
  if (!booted) {
    booted = true;
    // Read the live-activation register before any ffa_call overwrites the block.
    const live = laReg >= 0 && reg(laReg) != 0;
    ownId = idGet();
    if (liveStateManaged()) {
      if (live) {
        if (liveStateLiveInit() != LIVE_STATE_OK) ffaAbort();
      } else liveStateColdBoot();
    }
    const hook = initHook;
    if (hook != null) hook(live);
    msgWait();
    return;
  }
  const fid = <u32>reg(0);
  if (fid == FFA_MSG_SEND_DIRECT_REQ_64) directRequest(true);
  else if (fid == FFA_MSG_SEND_DIRECT_REQ_32) directRequest(false);
  else {
    const hook = messageHook;
    if (hook != null) hook(fid);
    else msgWait();
  }
}

function directRequest(is64: bool): void {
  const x1 = reg(1);
  const sender = senderOf(x1);
  const receiver = receiverOf(x1);
  const w2 = <u32>reg(2);
  if (ownId == 0) ownId = receiver;
  if ((w2 & FFA_FRAMEWORK_MSG_BIT) != 0 && framework(sender, receiver, w2)) return;
  const hook = requestHook;
  if (hook != null) hook(is64, sender, receiver, w2);
  else directResp(is64, sender, receiver, 0, <u32>FFA_NOT_SUPPORTED, 0, 0, 0, 0);
}

/** The framework messages the runtime answers itself; false: not one of them (the request hook gets it). */
function framework(sender: u32, receiver: u32, w2: u32): bool {
  const type = w2 & FFA_FRAMEWORK_MSG_FUNC_MASK;
  const fromSpmc = sender == <u32>HF_SPMC_VM_ID;
  if (type == FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ && fromSpmc) {
    stop(sender, receiver);
    return true;
  }
  // Hafnium answers framework requests with DIRECT_RESP_32 and a framework type.
  if (type == FFA_FRAMEWORK_MSG_PSCI_REQ && fromSpmc) {
    directResp(false, sender, receiver, FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PSCI_RESP, 0, 0, 0, 0, 0);
    return true;
  }
  if (type == FFA_FRAMEWORK_MSG_VM_CREATION_REQ || type == FFA_FRAMEWORK_MSG_VM_DESTRUCTION_REQ) {
    const resp = type == FFA_FRAMEWORK_MSG_VM_CREATION_REQ ? FFA_FRAMEWORK_MSG_VM_CREATION_RESP : FFA_FRAMEWORK_MSG_VM_DESTRUCTION_RESP;
    directResp(false, sender, receiver, FFA_FRAMEWORK_MSG_BIT | resp, 0, 0, reg(5) & 0xffff, 0, 0);
    return true;
  }
  return false;
}

/** PARTITION_STOP_REQ (x3 = reason) → PARTITION_STOP_RESP (x3 = status, x4/x5 = LSB base/size when accepted). */
function stop(sender: u32, receiver: u32): void {
  const hook = stopHook;
  const status: u32 = hook != null ? hook(receiver) : 0;
  let lsb: u64 = 0;
  let bytes: u64 = 0;
  if (status == 0 && liveStateSize() != 0) {
    if (liveStateManaged()) liveStateStop();
    lsb = liveStateBase();
    bytes = liveStateSize();
  }
  directResp(false, sender, receiver, FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP, status, lsb, bytes, 0, 0);
}
