// An example TF-A sp_layout.json board written to a folder: two SPs made from the sample secure
// world's images under their own identities (manifests/example-layout/*.dts) — "kv" (a
// live-activatable key-value SP: sp-sample's SP1 image, with a v2 image next to it) and "echo"
// (booted, not live-activatable: sp-sample's SP2 image). For tests, `lfa` examples and docs/boards.md.
import { join, mkdirSync, writeFileSync } from "#host";
import { readAsset } from "./assets.js";

export interface ExampleLayout {
  dir: string;
  /** dir/sp_layout.json */
  layout: string;
  /** kv's v2 image and its manifest (to package with packageSp, or `lfa pkg build`). */
  kvV2Image: string;
  kvManifest: string;
  /** The LFA component UUID of kv (its manifest's image-uuid). */
  kvUuid: string;
}

/** The layout file's text (also in docs/boards.md). */
export const EXAMPLE_LAYOUT_JSON = `{
  "kv": {
    "image": "kv.wasm",
    "pm": "kv.dts",
    "owner": "SiP"
  },
  "echo": {
    "image": { "file": "echo.wasm", "offset": "0x4000" },
    "pm": { "file": "echo.dts", "offset": "0x1000" },
    "owner": "Plat"
  }
}
`;

/** Writes the example board into `dir` (created if needed): sp_layout.json, kv.wasm, kv-v2.wasm, kv.dts, echo.wasm, echo.dts. */
export function writeExampleLayout(dir: string): ExampleLayout {
  mkdirSync(dir, { recursive: true });
  const copy = (spec: `@lfa-wasm/${string}`, name: string) => writeFileSync(join(dir, name), readAsset(spec));
  copy("@lfa-wasm/sp-sample/build/sp1_v1.wasm", "kv.wasm");
  copy("@lfa-wasm/sp-sample/build/sp1_v2.wasm", "kv-v2.wasm");
  copy("@lfa-wasm/sp-sample/build/sp2_v1.wasm", "echo.wasm");
  for (const m of ["kv.dts", "echo.dts"]) writeFileSync(join(dir, m), readAsset(`@lfa-wasm/platform/manifests/example-layout/${m}`));
  writeFileSync(join(dir, "sp_layout.json"), EXAMPLE_LAYOUT_JSON);
  return { dir, layout: join(dir, "sp_layout.json"), kvV2Image: join(dir, "kv-v2.wasm"), kvManifest: join(dir, "kv.dts"), kvUuid: "5b0d8e3a-7c41-4f2e-9a16-3d8c2b7e4f10" };
}
