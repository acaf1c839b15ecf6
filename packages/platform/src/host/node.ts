// What the board's Node-only features (boards from sp_layout.json files, the example layout
// writer) need from the host: files and paths. Chosen by platform's `#host` import condition.
export { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
export { dirname, join, resolve } from "node:path";
export { fileURLToPath } from "node:url";
