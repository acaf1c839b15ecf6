import type { Command } from "commander";
import type { Io } from "../io.js";

/** `lfa dts compile|show` — owned by the devicetree work. */
export function registerDts(program: Command, io: Io): void {
  void program;
  void io;
}
