// The protocol's commands by name (src/commands.ts): every SP_CMD_* constant has exactly one entry,
// names are unique kebab-case, and the status / image-kind names come from the constants.
import { describe, expect, it } from "vitest";
import * as protocol from "../src/protocol/sp-protocol.js";
import { SP_COMMANDS, SP_IMAGE_KIND_NAMES, SP_STATUS_NAMES, spCommand } from "../src/index.js";

describe("SP_COMMANDS", () => {
  it("names every SP_CMD_* of the protocol once", () => {
    const constants = Object.entries(protocol).filter(([k]) => k.startsWith("SP_CMD_"));
    expect(SP_COMMANDS.map((c) => c.cmd).sort((a, b) => a - b)).toEqual(constants.map(([, v]) => v as number).sort((a, b) => a - b));
    for (const [k, v] of constants) expect(spCommand(v as number)!.name, k).toBe(k.slice(7).toLowerCase().replace(/_/g, "-"));
    expect(new Set(SP_COMMANDS.map((c) => c.name)).size).toBe(SP_COMMANDS.length);
  });

  it("by name or number; status and image kinds by value", () => {
    expect(spCommand("version")).toMatchObject({ cmd: protocol.SP_CMD_VERSION, results: ["major", "minor", "kind"] });
    expect(spCommand(protocol.SP_CMD_COUNTER_INC)!.name).toBe("counter-inc");
    expect(spCommand("nope")).toBeUndefined();
    expect(SP_STATUS_NAMES[protocol.SP_STATUS_OK]).toBe("OK");
    expect(SP_STATUS_NAMES[protocol.SP_STATUS_INVALID_PARAMETERS]).toBe("INVALID_PARAMETERS");
    expect(SP_IMAGE_KIND_NAMES[protocol.SP_IMAGE_TRAP_INIT]).toBe("trap-init");
  });
});
