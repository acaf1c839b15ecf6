import type { Command } from "commander";
import type { Io } from "../io.js";

/** `lfa pkg build|inspect|verify` — owned by the SP package work. */
export function registerPkg(program: Command, io: Io): void {
  void program;
  void io;
}
