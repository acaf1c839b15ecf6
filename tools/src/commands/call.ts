// `lfa call <image> <cmd> [args…] [--pe N]`: an FF-A direct request (FFA_MSG_SEND_DIRECT_REQ_64,
// from the normal world, endpoint 0, after FFA_VERSION(1.0)) to a secure partition through the SMC
// conduit, registers in and out; commands by name and answers decoded when the SP speaks
// sp-sample's protocol.
import type { Command } from "commander";
import * as abi from "@lfa-wasm/abi";
import { fidName } from "@lfa-wasm/platform";
import { SP_IDS, SP_IMAGE_KIND_NAMES, SP_STATUS_NAMES, SP_STATUS_OK, SP_COMMANDS, spCommand } from "@lfa-wasm/sp-sample";
import { type Io, type ErrorInfo, printJson, CheckFailed, UsageError } from "../io.js";
import { type SessionHost, aliasOf, resolveImage } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";
import type { OpArgs, OpContext } from "../board/ops.js";

export interface CallResult {
  image: string | null;
  guid: string;
  /** The partition's FF-A id ("0x8001"). */
  partition: string;
  pe: number;
  /** The command's name in the SP's protocol (null: a raw number, or an SP whose protocol is not known). */
  command: string | null;
  /** "sp-sample" when the SP speaks it, else null. */
  protocol: string | null;
  /** x0..x7 of the request and the answer (hex). */
  in: string[];
  out: string[];
  /** The answer's function (FFA_MSG_SEND_DIRECT_RESP_64, FFA_ERROR_32, …). */
  response: string;
  /** x3 of a direct response: the SP's status (sp-sample's names). */
  status: { value: number; name: string | null } | null;
  /** The answer's x4.. by the command's result names (numbers; image kind by name). */
  results: Record<string, number | string> | null;
  error: ErrorInfo | null;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
const FFA_ERRORS = new Map<number, string>(
  Object.entries(abi)
    .filter(([k, v]) => typeof v === "number" && v < 0 && v >= -16 && k.startsWith("FFA_") && !k.includes("_ID"))
    .map(([k, v]) => [v as number, k]),
);

function parseNumber(what: string, text: string): bigint {
  if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(text)) throw new UsageError(`${what}: "${text}" is not a number (decimal or 0x-hex)`);
  const v = BigInt(text);
  if (v >= 1n << 64n) throw new UsageError(`${what}: ${text} does not fit in 64 bits`);
  return v;
}

const asNumber = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : hex(v));

/** The call operation (journaled: a request runs the SP, which may change its state). */
export function directCall(ctx: OpContext, a: OpArgs["call"]): CallResult {
  const s = ctx.session;
  const img = resolveImage(s, a.image);
  const name = aliasOf(s, img) ?? img.guid;
  const comp = s.platform.component(name);
  if (comp.kind !== "sp" || !comp.cfg.sp) throw new CheckFailed(`${name} is not a secure partition: no direct requests`, "EINVAL");
  const id = comp.cfg.sp.id;
  const known = Object.values(SP_IDS).includes(id);
  const cmd = known ? spCommand(a.command) : undefined;
  const x3 = cmd ? BigInt(cmd.cmd) : parseNumber("command", a.command);
  if (a.args.length > 4) throw new UsageError(`at most 4 arguments (x4..x7), got ${a.args.length}`);
  const args = a.args.map((v, i) => parseNumber(cmd?.args[i] ?? `x${4 + i}`, v));
  if (a.pe < 0 || a.pe >= s.platform.peCount) throw new UsageError(`--pe ${a.pe}: the board has PEs 0..${s.platform.peCount - 1}`);
  const regs = [BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_64), BigInt(id), 0n, x3, ...args];
  while (regs.length < 18) regs.push(0n);
  let out: bigint[];
  try {
    // Like a normal-world FF-A driver, negotiate the version before the request. v1.0, as the
    // board's other normal-world client (the U-Boot-style variable client) does: the SPMC locks
    // the normal world's version at its first other call and refuses a different one afterwards.
    const v = s.platform.call(a.pe, [BigInt(abi.FFA_VERSION_32), BigInt(abi.FFA_VERSION_1_0), ...new Array<bigint>(16).fill(0n)]);
    if ("reset" in v) throw new Error(`PE${a.pe} was reset by the firmware`);
    if (BigInt.asIntN(32, v.regs[0]!) < 0n) throw new Error(`FFA_VERSION(1.0) refused: ${BigInt.asIntN(32, v.regs[0]!)}`);
    const o = s.platform.call(a.pe, regs);
    if ("reset" in o) throw new Error(`PE${a.pe} was reset by the firmware`);
    out = o.regs;
  } catch (e) {
    throw new CheckFailed(`call ${name}: ${(e as Error).message}`, "EIO");
  }
  const fid = Number(out[0]! & 0xffffffffn);
  const response = fidName(fid);
  let status: CallResult["status"] = null;
  let results: CallResult["results"] = null;
  let error: ErrorInfo | null = null;
  if (fid === abi.FFA_ERROR_32) {
    const code = Number(BigInt.asIntN(32, out[2]!));
    error = { code: FFA_ERRORS.get(code) ?? `FFA_ERROR_${code}`, message: `call ${name}: FFA_ERROR ${FFA_ERRORS.get(code) ?? code}`, reason: null };
  } else if (fid === abi.FFA_MSG_SEND_DIRECT_RESP_64) {
    const v = Number(out[3]! & 0xffffffffn);
    status = { value: v, name: known ? (SP_STATUS_NAMES[v] ?? null) : null };
    if (cmd && v === SP_STATUS_OK) results = decode(cmd.name, cmd.results, out);
  }
  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    partition: `0x${id.toString(16)}`,
    pe: a.pe,
    command: cmd?.name ?? null,
    protocol: known ? "sp-sample" : null,
    in: regs.slice(0, 8).map(hex),
    out: out.slice(0, 8).map(hex),
    response,
    status,
    results,
    error,
  };
}

function decode(command: string, names: readonly string[], out: bigint[]): Record<string, number | string> {
  const r: Record<string, number | string> = {};
  names.forEach((n, i) => {
    const v = out[4 + i]!;
    r[n] = command === "version" && n === "kind" ? (SP_IMAGE_KIND_NAMES[Number(v)] ?? asNumber(v)) : asNumber(v);
  });
  return r;
}

export function registerCall(program: Command, io: Io, host: SessionHost): void {
  program
    .command("call")
    .description("send an FF-A direct request to a secure partition: registers in and out, decoded for sp-sample's protocol")
    .argument("<image>", "an SP: sp1, sp2, efivar (name, GUID or alias)")
    .argument("<command>", `a command of the SP's protocol (${SP_COMMANDS.map((c) => c.name).join(", ")}) or a number (x3)`)
    .argument("[args...]", "x4.. (decimal or 0x-hex)")
    .option("--pe <n>", "the PE that issues the SMC", "0")
    .option("--json", "print the registers and the decoded answer as JSON")
    .addHelpText("after", "\nExit status: 0 answered, 1 an FFA_ERROR or a failure, 2 usage.\nExamples:\n  lfa call sp1 version\n  lfa call sp1 counter-inc --pe 2\n  lfa call sp2 echo 1 2 3 4 --json\n")
    .action(async (ref: string, command: string, args: string[], o: { pe: string; json?: boolean }) => {
      if (!/^\d+$/.test(o.pe)) throw new UsageError(`--pe: "${o.pe}" is not a PE number`);
      const r = await host.run("call", { image: ref, pe: Number(o.pe), command, args });
      if (o.json) printJson(io, "call", r);
      else {
        const st = styleFor(io);
        io.stdout(`${st.bold("call")} ${r.image ?? r.guid} (${r.partition}) ${r.command ?? command} from PE${r.pe}\n`);
        io.stdout(`  in   ${r.in.join(" ")}\n`);
        io.stdout(`  out  ${r.out.join(" ")}\n`);
        io.stdout(`  ${r.response}${r.status ? `: status ${r.status.name ?? r.status.value}` : ""}\n`);
        if (r.results) io.stdout(`  ${Object.entries(r.results).map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
      }
      if (r.error) throw new CheckFailed(o.json ? "" : r.error.message, r.error.code);
    });
}
