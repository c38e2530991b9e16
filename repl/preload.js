// Loaded by bin/sigla.js when `sigla` opens the REPL (no arguments), before tsx registers its hooks.
// Ink and React are plain JavaScript of some 560 modules (es-toolkit alone brings 415); imported here,
// natively, they skip tsx's hook thread — a round trip per module, which about doubled the time to the
// first prompt. The REPL's own modules import the same instances afterwards. Piped input or output runs
// the line mode, which draws nothing: then nothing is loaded here.
if (process.stdin.isTTY && process.stdout.isTTY) {
  // Ink reads CI at import and then draws only <Static> output (no prompt). The full-screen REPL runs
  // only on a real terminal, so a CI variable inherited from the shell must not blank it.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  await Promise.all([import("ink"), import("react"), import("react/jsx-runtime")]);
}
