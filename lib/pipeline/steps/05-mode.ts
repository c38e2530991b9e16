/**
 * Step 5, reasoning mode: fast, deep or debate, and whether the shadow protocol holds; with a module
 * router, the `.capsulemod` modules that fit the message (by its words, its question type as the intent,
 * and capability), shown in the trace.
 */
import { questionType } from "../../answer/question-type.js";
import type { RouterDecision } from "../../models/router.js";
import { selectMode } from "../mode.js";
import type { AfterVoices, Moded } from "../turn.js";
import type { Step } from "./step.js";

export const reasoningMode: Step<AfterVoices, Moded> = async (state) => {
  const chosen = selectMode({ metrics: state.metrics, voices: state.voices, text: state.text });
  const routed = await route(state);
  const modules = routed?.modules.map((m) => m.id) ?? [];
  return {
    out: { mode: chosen.mode, shadowProtocol: chosen.shadowProtocol },
    summary:
      `${chosen.mode}${chosen.shadowProtocol ? ", shadow protocol" : ""}: ${chosen.reason}` +
      (routed ? `; modules: ${modules.length > 0 ? modules.join(", ") : "none fit"}` : ""),
    data: {
      mode: chosen.mode,
      shadowProtocol: chosen.shadowProtocol,
      reason: chosen.reason,
      ...(routed ? { modules: routed.modules, routerCached: routed.cached } : {}),
    },
  };
};

/** The router's choice for the message, when a router is configured. */
async function route(state: AfterVoices): Promise<RouterDecision | undefined> {
  const router = state.options.router;
  if (!router) return undefined;
  return router.selectModules(state.text, { intent: questionType(state.text, state.language) });
}
