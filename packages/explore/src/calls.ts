// A scenario's symbolic calls (ACTIVATE rmm, CPU_OFF, DIRECT_REQ sp1 COUNTER_INC, …) as the SMC
// registers a PE issues, resolved against the board (sequence ids, FF-A ids).
import * as abi from "@lfa-wasm/abi";
import type { Platform } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC, SP_CMD_ECHO, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import { ScenarioError, type CallName, type CallSpec } from "./scenario.js";

/** Where a PE resumes if an ACTIVATE resets it (ACTIVATE x3), unless the scenario says otherwise. */
export const DEFAULT_NS_ENTRY = 0x80000000;

const LFA_FIDS: Partial<Record<CallName, number>> = {
  VERSION: abi.LFA_VERSION,
  FEATURES: abi.LFA_FEATURES,
  GET_INFO: abi.LFA_GET_INFO,
  GET_INVENTORY: abi.LFA_GET_INVENTORY,
  PRIME: abi.LFA_PRIME,
  ACTIVATE: abi.LFA_ACTIVATE,
  CANCEL: abi.LFA_CANCEL,
};
const SP_COMMANDS = { COUNTER_INC: SP_CMD_COUNTER_INC, VERSION: SP_CMD_VERSION, ECHO: SP_CMD_ECHO } as const;

/** A resolved call. */
export interface Call {
  name: CallName;
  /** e.g. "ACTIVATE(rmm, skip)", "DIRECT_REQ(sp1, COUNTER_INC)". */
  label: string;
  family: "lfa" | "psci" | "ffa";
  /** x0..x5 as issued. */
  regs: bigint[];
  /** LFA calls naming a component: its name and sequence id. */
  component?: string;
  seq?: number;
  /** ACTIVATE: x2 bit 0. */
  skip?: boolean;
  /** DIRECT_REQ: the SP component, its FF-A id and the command. */
  sp?: { component: string; id: number; command: keyof typeof SP_COMMANDS };
  /** CPU_ON: the target PE. */
  target?: number;
  /** Issued again while it answers LFA_BUSY. */
  retryWhileBusy?: boolean;
}

export function resolveCall(p: Platform, spec: CallSpec, cpu: number, where: string): Call {
  const need = (what: keyof CallSpec): never => {
    throw new ScenarioError(`${where}: ${spec.call} needs "${what}"`);
  };
  const componentOf = (name: string) => {
    try {
      return p.component(name);
    } catch (e) {
      throw new ScenarioError(`${where}: ${(e as Error).message}`);
    }
  };
  const u = (v: number | bigint) => BigInt.asUintN(64, BigInt(v));
  const lfaFid = LFA_FIDS[spec.call];
  if (spec.retryWhileBusy && lfaFid === undefined) throw new ScenarioError(`${where}: retryWhileBusy is for LFA calls`);
  if (lfaFid !== undefined) {
    const call: Call = { name: spec.call, label: spec.call, family: "lfa", regs: [u(lfaFid)], retryWhileBusy: spec.retryWhileBusy === true };
    if (spec.call === "FEATURES") {
      call.regs.push(u(spec.fid ?? abi.LFA_VERSION));
      call.label = `FEATURES(0x${(spec.fid ?? abi.LFA_VERSION).toString(16)})`;
    } else if (spec.call === "GET_INFO") {
      call.regs.push(0n);
    } else if (spec.call !== "VERSION") {
      const c = componentOf(spec.component ?? need("component"));
      call.component = c.name;
      call.seq = c.seq;
      call.regs.push(u(c.seq));
      call.label = `${spec.call}(${c.name})`;
      if (spec.call === "ACTIVATE") {
        call.skip = spec.skip === true;
        call.regs.push(call.skip ? u(abi.LFA_SKIP_CPU_RENDEZVOUS) : 0n, u(spec.entry ?? DEFAULT_NS_ENTRY), u(spec.context ?? cpu));
        if (call.skip) call.label = `ACTIVATE(${c.name}, skip)`;
      }
    }
    return call;
  }
  switch (spec.call) {
    case "CPU_OFF":
      return { name: spec.call, label: "CPU_OFF", family: "psci", regs: [u(abi.PSCI_CPU_OFF)] };
    case "CPU_ON": {
      const target = spec.target ?? need("target");
      return { name: spec.call, label: `CPU_ON(PE${target})`, family: "psci", target, regs: [u(abi.PSCI_CPU_ON_64), u(target), u(spec.entry ?? DEFAULT_NS_ENTRY), u(spec.context ?? target)] };
    }
    case "DIRECT_REQ": {
      const c = componentOf(spec.sp ?? need("sp"));
      if (!c.cfg.sp) throw new ScenarioError(`${where}: component ${c.name} is not a secure partition`);
      const command = spec.command ?? need("command");
      return {
        name: spec.call,
        label: `DIRECT_REQ(${c.name}, ${command})`,
        family: "ffa",
        sp: { component: c.name, id: c.cfg.sp.id, command },
        // x1 = sender (the normal world, 0) << 16 | receiver; x3 = the SP's command.
        regs: [u(abi.FFA_MSG_SEND_DIRECT_REQ_64), u(c.cfg.sp.id), 0n, u(SP_COMMANDS[command])],
      };
    }
    default:
      throw new ScenarioError(`${where}: unknown call ${spec.call}`);
  }
}
