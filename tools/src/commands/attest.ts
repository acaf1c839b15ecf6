// `lfa attest [--nonce N] [--json] [--out FILE]`: the board's measured log (TCG CEL-JSON records)
// and a report over it — the nonce, every component's current and journey digest — signed with the
// board's attestation key (docs/measured-activation.md). `lfa attest verify [FILE]`: replays the
// log of an attestation (FILE, or a fresh one of this board) against its report and checks the
// signature with the trusted attestation key (default: the TEST-ONLY key of @lfa-wasm/sp-pkg).
// The board is persistent (journal replay): the log is rebuilt by replaying the journal.
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { verifyAttestation, type Attestation } from "@lfa-wasm/platform";
import { loadPublicKey, testAttestationKeyPaths } from "@lfa-wasm/sp-pkg";
import { type Io, printJson, toJson, UsageError, CheckFailed, resolvePath } from "../io.js";
import type { SessionHost } from "../lfa/session.js";
import { table } from "../lfa/format.js";

function parseNonce(text: string | undefined): string {
  if (text === undefined) return randomBytes(16).toString("hex");
  const t = text.toLowerCase().replace(/^0x/, "");
  if (!/^([0-9a-f]{2}){1,64}$/.test(t)) throw new UsageError(`--nonce: "${text}" is not 1..64 hex bytes`);
  return t;
}

const short = (d: string) => `${d.slice(0, 16)}…`;

function printAttestation(io: Io, a: Attestation): void {
  const rows = a.log.map((r) => [String(r.recnum), r.content.component, r.content.event, r.content.version, short(r.digests[0]!.digest)]);
  io.stdout(table(["#", "COMPONENT", "EVENT", "VERSION", "SHA-256"], rows));
  io.stdout(`\nnonce ${a.report.nonce}; ${a.report.records} records, log SHA-256 ${a.report.logSha256}\n`);
  io.stdout(table(["COMPONENT", "CURRENT", "JOURNEY"], Object.entries(a.report.components).map(([k, v]) => [k, short(v.current), short(v.journey)])));
  io.stdout(`signature (Ed25519, TEST-ONLY key unless the board has its own) ${a.signature.slice(0, 32)}…\n`);
}

function readAttestation(io: Io, file: string): Attestation {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(resolvePath(io, file), "utf8"));
  } catch (e) {
    throw new CheckFailed(`cannot read an attestation from ${file}: ${(e as Error).message}`);
  }
  const a = j as Partial<Attestation>;
  if (!a || !Array.isArray(a.log) || typeof a.report !== "object" || typeof a.signature !== "string") {
    throw new CheckFailed(`${file} is not an attestation (lfa attest --json): it needs log, report and signature`);
  }
  return a as Attestation;
}

export function registerAttest(program: Command, io: Io, host: SessionHost): void {
  program
    .command("attest")
    .description("the board's measured log (TCG CEL-JSON) and a report signed by its attestation key; `attest verify [FILE]` replays and checks one")
    .argument("[verify]", "verify: check an attestation instead of printing one")
    .argument("[file]", "with verify: an `lfa attest --json` output (default: a fresh attestation of this board)")
    .option("--nonce <hex>", "the verifier's nonce (hex bytes; default: 16 random bytes)")
    .option("--key <pem>", "with verify: the trusted attestation public key (default: the TEST-ONLY key)")
    .option("--out <file>", "also write the attestation JSON to FILE")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  lfa attest --nonce 00c0ffee --json > att.json\n  lfa attest verify att.json --nonce 00c0ffee\n  lfa attest verify\n")
    .action(async (what: string | undefined, file: string | undefined, o: { nonce?: string; key?: string; out?: string; json?: boolean }) => {
      if (what !== undefined && what !== "verify") throw new UsageError(`attest: unknown argument "${what}" (expected "verify")`);
      if (what !== "verify" && file !== undefined) throw new UsageError("attest: a file is only read by `attest verify`");
      if (what === "verify" && o.out) throw new UsageError("attest verify: --out is for `attest`");
      const nonce = o.nonce === undefined ? undefined : parseNonce(o.nonce);
      if (what !== "verify") {
        const a = (await host.get()).platform.attest(nonce ?? parseNonce(undefined));
        if (o.out) writeFileSync(resolvePath(io, o.out), toJson(a) + "\n");
        if (o.json) return printJson(io, "attest", a);
        return printAttestation(io, a);
      }
      const a = file !== undefined ? readAttestation(io, file) : (await host.get()).platform.attest(nonce ?? parseNonce(undefined));
      const trusted = loadPublicKey(o.key ? resolvePath(io, o.key) : testAttestationKeyPaths.publicKey);
      const failures = verifyAttestation(a, trusted, nonce);
      const result = { ok: failures.length === 0, source: file ?? null, nonce: a.report?.nonce ?? null, records: Array.isArray(a.log) ? a.log.length : 0, components: a.report?.components ?? {}, failures };
      if (o.json) printJson(io, "attest-verify", result);
      else if (result.ok) io.stdout(`verified: ${result.records} records replayed, ${Object.keys(result.components).length} components' current and journey digests reproduced, signature good (nonce ${result.nonce})\n`);
      if (!result.ok) {
        if (!o.json) for (const f of failures) io.stdout(`FAIL ${f}\n`);
        throw new CheckFailed(o.json ? "" : `attestation does not verify (${failures.length} reason${failures.length === 1 ? "" : "s"})`, "NOT_VERIFIED");
      }
    });
}
