// The demo flow the page's "Run the demo" button and `?autorun` run: serve SP1 v1, upload SP1 v2,
// check it, activate it live, and show that SP1 answers 2.0 with its counter continued.
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import type { Lab, OpResult } from "./lab.js";

export interface DemoStep {
  title: string;
  result: OpResult;
}

export interface DemoOutcome {
  steps: DemoStep[];
  versionBefore: string;
  versionAfter: string;
  countersBefore: bigint[];
  counterAfter: bigint;
  ok: boolean;
}

/** Runs the demo flow on `lab`; `sp1v2` is SP1's v2 package; `onStep` sees each step as it ends. */
export function runDemo(lab: Lab, sp1v2: Uint8Array, onStep: (s: DemoStep) => void = () => {}): DemoOutcome {
  const steps: DemoStep[] = [];
  const step = <R extends OpResult>(title: string, result: R): R => {
    const s = { title, result };
    steps.push(s);
    onStep(s);
    if (!result.ok) throw new Error(`${title}: ${result.message}`);
    return result;
  };
  const version = (when: string) => {
    const r = lab.direct("sp1", SP_CMD_VERSION);
    step(`SP1 version (${when})`, r);
    return `${r.values![0]}.${r.values![1]}`;
  };
  const counters: bigint[] = [];
  for (let i = 0; i < 2; i++) counters.push(step("SP1 counter increment", lab.direct("sp1", SP_CMD_COUNTER_INC)).values![0]!);
  const versionBefore = version("before");
  step("upload SP1 v2 (fw_upload)", lab.upload("sp1", sp1v2));
  step("pre-flight check", lab.check("sp1", sp1v2).result);
  step("activate SP1 (PRIME + stop_machine ACTIVATE)", lab.activate("sp1"));
  const activation = lab.last!;
  const versionAfter = version("after");
  const counterAfter = step("SP1 counter increment", lab.direct("sp1", SP_CMD_COUNTER_INC)).values![0]!;
  lab.last = activation; // the diagram shows the activation
  return {
    steps,
    versionBefore,
    versionAfter,
    countersBefore: counters,
    counterAfter,
    ok: versionAfter === "2.0" && counterAfter === counters[counters.length - 1]! + 1n,
  };
}
