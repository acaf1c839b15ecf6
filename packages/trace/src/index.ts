export * from "./trace.js";
export * from "./ring.js";
export * from "./render.js";
