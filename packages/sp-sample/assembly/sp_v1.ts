// Sample secure partition, image v1. See ../README.md for the execution ABI.
import {
  FFA_ERROR_32,
  FFA_ID_GET_32,
  FFA_MSG_SEND_DIRECT_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP_32,
  FFA_MSG_SEND_DIRECT_RESP_64,
  FFA_MSG_WAIT_32,
  FFA_SUCCESS_32,
} from "@lfa-wasm/abi/assembly";
import { clearRegs, ffa_call, receiverOf, reg, senderOf, setReg } from "./sp_runtime";
import {
  SP_CMD_COUNTER_INC,
  SP_CMD_ECHO,
  SP_CMD_ID_GET,
  SP_CMD_VERSION,
  SP_STATUS_NOT_SUPPORTED,
  SP_STATUS_OK,
  SP_STATUS_UNKNOWN_COMMAND,
} from "./service";

export { regs } from "./sp_runtime";

const VERSION_MAJOR: u64 = 1;
const VERSION_MINOR: u64 = 0;

let booted = false;
let counter: u64 = 0;

/** Leaves FFA_MSG_WAIT in the block: "idle, deliver the next message". */
function yieldMsgWait(): void {
  setReg(0, FFA_MSG_WAIT_32);
  clearRegs(1);
}

/** One world switch into the SP. */
export function entry(): void {
  if (!booted) {
    // Cold boot: initialise, then wait for messages.
    booted = true;
    counter = 0;
    yieldMsgWait();
    return;
  }
  const fid = <u32>reg(0);
  if (fid == FFA_MSG_SEND_DIRECT_REQ_64) handleDirectReq(true);
  else if (fid == FFA_MSG_SEND_DIRECT_REQ_32) handleDirectReq(false);
  else yieldMsgWait(); // anything else (e.g. FFA_RUN, FFA_INTERRUPT): back to waiting
}

function handleDirectReq(is64: bool): void {
  const x1 = reg(1);
  const sender = senderOf(x1);
  const receiver = receiverOf(x1);
  const cmd = <u32>reg(3);
  let status: u32 = SP_STATUS_OK;
  let r4: u64 = 0, r5: u64 = 0, r6: u64 = 0, r7: u64 = 0;
  if (<u32>reg(2) != 0) {
    status = SP_STATUS_NOT_SUPPORTED; // framework messages are not implemented by v1
  } else if (cmd == SP_CMD_ECHO) {
    r4 = reg(4); r5 = reg(5); r6 = reg(6); r7 = reg(7);
  } else if (cmd == SP_CMD_COUNTER_INC) {
    counter++;
    r4 = counter;
  } else if (cmd == SP_CMD_VERSION) {
    r4 = VERSION_MAJOR;
    r5 = VERSION_MINOR;
  } else if (cmd == SP_CMD_ID_GET) {
    setReg(0, FFA_ID_GET_32);
    clearRegs(1);
    ffa_call();
    const res = <u32>reg(0);
    if (res == FFA_SUCCESS_32) r4 = reg(2) & 0xffff;
    else if (res == FFA_ERROR_32) status = <u32>reg(2);
    else status = SP_STATUS_NOT_SUPPORTED;
  } else {
    status = SP_STATUS_UNKNOWN_COMMAND;
  }
  clearRegs(0);
  const w: u64 = is64 ? 0xffffffffffffffff : 0xffffffff;
  setReg(0, is64 ? FFA_MSG_SEND_DIRECT_RESP_64 : FFA_MSG_SEND_DIRECT_RESP_32);
  setReg(1, (<u64>receiver << 16) | <u64>sender);
  setReg(2, 0);
  setReg(3, status);
  setReg(4, r4 & w);
  setReg(5, r5 & w);
  setReg(6, r6 & w);
  setReg(7, r7 & w);
}
