// @lfa-wasm/explore — systematic exploration of the board's scheduler decisions: every
// interleaving of LFA, PSCI and FF-A calls across PEs (and inside their SMCs, at the board's
// preemption points) up to a bound, pruned on state signatures, checked against the
// specification's allowed returns and the board's invariants, with replayable counterexamples.
export * from "./scenario.js";
export { BoardFactory, packageBytes, agentOptionFlags } from "./board.js";
export { resolveCall, type Call } from "./calls.js";
export { Run, ScheduleError, type Decision, type Driver, type RunEnd, type StepLog, type Violation } from "./runner.js";
export { explorePart, mergeParts, replay, type FoundViolation, type Partition, type PartOptions, type PartResult } from "./explorer.js";
export { explore, mergeResults, RESULT_SCHEMA, type ExploreOptions, type ExploreResult } from "./explore.js";
export { LFA_RETURNS, lfaReturnsMarkdown, lfaVerdict, inventoryFlags, type Pre, type Traits, type Verdict } from "./spec/lfa.js";
export { psciVerdict, directAnswer, directAllowed } from "./spec/psci-ffa.js";
export { stateSignature } from "./state-hash.js";
