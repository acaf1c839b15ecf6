// The JSON contract's schemas (tools/schemas/<name>.schema.json, JSON Schema 2020-12), compiled
// once with Ajv: the state files are validated with them when read, and the tests validate every
// command's --json output against its schema.
import { readFileSync, readdirSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/** tools/schemas/ (from dist/ or src/). */
export const SCHEMA_DIR = new URL("../schemas/", import.meta.url);

let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  // Shared definitions ($ref "defs.schema.json#/$defs/…").
  for (const f of readdirSync(SCHEMA_DIR)) {
    if (f.endsWith(".schema.json")) ajv.addSchema(JSON.parse(readFileSync(new URL(f, SCHEMA_DIR), "utf8")) as object, f);
  }
  return ajv;
}

/** The validator of tools/schemas/<name>.schema.json. */
export function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = instance().getSchema(`${name}.schema.json`);
    if (!v) throw new Error(`no JSON schema ${name}.schema.json in ${SCHEMA_DIR.pathname}`);
    compiled.set(name, v);
  }
  return v;
}

/** Every schema file's name (without .schema.json). */
export function schemaNames(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith(".schema.json"))
    .map((f) => f.slice(0, -".schema.json".length));
}
