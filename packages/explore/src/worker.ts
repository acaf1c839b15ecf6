// A worker thread of the exploration pool (tinypool): explores one partition of a scenario.
import { BoardFactory } from "./board.js";
import { explorePart, type PartOptions, type PartResult } from "./explorer.js";
import type { Scenario } from "./scenario.js";

export interface PartTask extends PartOptions {
  scenario: Scenario;
}

const factories = new Map<string, BoardFactory>();

export default function run(task: PartTask): PartResult {
  const key = JSON.stringify(task.scenario);
  let f = factories.get(key);
  if (!f) factories.set(key, (f = new BoardFactory(task.scenario)));
  return explorePart(f, task);
}
