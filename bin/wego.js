#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a fresh clone needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../node/cli/main.ts");
const code = await main(process.argv);
// A failed command exits at once: a node that failed to start may still hold open handles.
if (code !== 0) process.exit(code);
