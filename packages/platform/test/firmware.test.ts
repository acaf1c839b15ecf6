// The board's firmware packages are signed at build time (build/<name>.pkg): what the board boots
// and offers is byte for byte what signing the images as built gives, and it verifies with the
// TEST-ONLY public key.
import { describe, expect, it } from "vitest";
import { parseSpPkg, verifySpPkg } from "@lfa-wasm/sp-pkg";
import { FIRMWARE_PACKAGES, agentImage, createPlatform, firmwarePackage, rmmImage, signFirmwarePackage } from "../src/index.js";

describe("firmware packages signed at build time", () => {
  it("build/<name>.pkg equals signing the current images; each verifies and carries its image", () => {
    const key = createPlatform().trustedKey;
    for (const name of FIRMWARE_PACKAGES) {
      const pkg = firmwarePackage(name);
      expect(pkg, name).toEqual(signFirmwarePackage(name));
      expect(verifySpPkg(pkg, key), name).toMatchObject({ ok: true });
      const image = parseSpPkg(pkg).image;
      expect(image, name).toEqual(name.startsWith("rmm-") ? rmmImage(name.slice(4) as "v1.0" | "v1.1" | "bad") : agentImage());
    }
    expect(parseSpPkg(firmwarePackage("bl31-v1.1")).trailer.version).toEqual({ major: 1, minor: 1 });
  });
});
