/**
 * Everything the REPL needs from the command layer, in one module that is loaded after the first frame
 * (`loadLibrary`): parsing, running and completing commands pulls in the whole library (the store and
 * LanceDB, the embedders, the pipeline), which takes seconds on a slow machine. The screen draws its
 * prompt first and takes keys meanwhile; lines typed before this module is in wait in the queue.
 */
export { applyCompletion, complete } from "../lib/commands/complete.js";
export { parseCommand } from "../lib/commands/parse.js";
export { runCommand } from "../lib/commands/registry.js";
export { errorLine, shortPath } from "../lib/commands/text.js";
export { Answer, LiveAnswer } from "./answer.js";
