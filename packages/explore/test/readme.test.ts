// The README's allowed-returns table is the code's table, and it lists every shipped scenario.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lfaReturnsMarkdown, scenarioNames } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows LFA_RETURNS exactly", () => {
    const m = /<!-- lfa-returns:begin -->\n([\s\S]*?)<!-- lfa-returns:end -->/.exec(readme);
    expect(m?.[1]).toBe(lfaReturnsMarkdown());
  });
  it("describes every shipped scenario", () => {
    for (const n of scenarioNames()) expect(readme).toContain(`| \`${n}\` |`);
  });
});
