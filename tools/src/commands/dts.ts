// `lfa dts compile|show`: compile DTS to DTB (byte-identical to dtc) and print DTB/DTS files.
import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { Command } from "commander";
import { FDT_MAGIC } from "@lfa-wasm/abi";
import {
  DtbError,
  DtsError,
  compileDts,
  decodeDtbTree,
  formatDts,
  guessValue,
  parseDtsTree,
  type DeviceTree,
  type DtNode,
  type GuessedValue,
} from "@lfa-wasm/devicetree";
import { type Io, CheckFailed, UsageError, printJson, resolvePath } from "../io.js";

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CheckFailed(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Reports a DTS syntax error gcc-style (`file:line:col: error: …`) and fails with exit code 1. */
function dtsFailure(io: Io, e: DtsError): CheckFailed {
  io.stderr(`${e.message}\n`);
  return new CheckFailed("");
}

interface JsonProperty {
  name: string;
  hex: string;
  guess: GuessedValue;
}
interface JsonNode {
  name: string;
  path: string;
  properties: JsonProperty[];
  children: JsonNode[];
}

function toJson(node: DtNode, path: string): JsonNode {
  return {
    name: node.name,
    path,
    properties: node.properties.map((p) => ({ name: p.name, hex: Buffer.from(p.value).toString("hex"), guess: guessValue(p.value) })),
    children: node.children.map((c) => toJson(c, path === "/" ? `/${c.name}` : `${path}/${c.name}`)),
  };
}

type InFormat = "dts" | "dtb";

function detectFormat(path: string, bytes: Buffer, forced: string | undefined): InFormat {
  if (forced !== undefined) {
    if (forced !== "dts" && forced !== "dtb") throw new UsageError(`--in-format must be 'dts' or 'dtb', not '${forced}'`);
    return forced;
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".dtb" || ext === ".dtbo") return "dtb";
  if (ext === ".dts" || ext === ".dtsi") return "dts";
  return bytes.length >= 4 && bytes.readUInt32BE(0) === FDT_MAGIC ? "dtb" : "dts";
}

export function registerDts(program: Command, io: Io): void {
  const dts = program
    .command("dts")
    .description("compile device-tree sources (FF-A partition manifests) and inspect device-tree blobs");

  dts
    .command("compile")
    .description("compile a .dts file to a .dtb, byte-identical to `dtc -I dts -O dtb`")
    .argument("<input>", "DTS source file")
    .requiredOption("-o, --output <file>", "where to write the DTB")
    .option("--json", "print { input, output, size } as JSON")
    .action((input: string, opts: { output: string; json?: boolean }) => {
      const source = readInput(resolvePath(io, input)).toString("utf8");
      let dtb: Uint8Array;
      try {
        dtb = compileDts(source, input);
      } catch (e) {
        if (e instanceof DtsError) throw dtsFailure(io, e);
        throw e;
      }
      try {
        writeFileSync(resolvePath(io, opts.output), dtb);
      } catch (e) {
        throw new CheckFailed(`cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      if (opts.json) printJson(io, "dts-compile", { input, output: opts.output, size: dtb.length });
      else io.stdout(`${opts.output}: ${dtb.length} bytes\n`);
    });

  dts
    .command("show")
    .description("print a .dtb (decoded) or a .dts (parsed) as DTS source, or as JSON")
    .argument("<file>", "a .dtb or .dts file (other names: detected by the FDT magic)")
    .option("-I, --in-format <format>", "force the input format: dts or dtb")
    .option("--json", "print the tree as JSON: nodes with { name, hex, guess: { type, value } } properties")
    .action((file: string, opts: { inFormat?: string; json?: boolean }) => {
      const bytes = readInput(resolvePath(io, file));
      const format = detectFormat(file, bytes, opts.inFormat);
      let tree: DeviceTree;
      try {
        tree = format === "dtb" ? decodeDtbTree(new Uint8Array(bytes)) : parseDtsTree(bytes.toString("utf8"), file);
      } catch (e) {
        if (e instanceof DtsError) throw dtsFailure(io, e);
        if (e instanceof DtbError) throw new CheckFailed(`${file}: malformed DTB: ${e.message}`);
        throw e;
      }
      if (opts.json) {
        printJson(io, "dts-show", {
          file,
          format,
          memreserve: tree.memreserve.map((r) => ({ address: `0x${r.address.toString(16)}`, size: `0x${r.size.toString(16)}` })),
          root: toJson(tree.root, "/"),
        });
      } else {
        io.stdout(formatDts(tree.root, { memreserve: tree.memreserve }));
      }
    });
}
