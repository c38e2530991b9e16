/**
 * A progress bar on stderr for long CLI work, drawn only when stderr is a terminal (pipes and CI get
 * nothing, so output stays clean). The library reports progress through callbacks; this draws them.
 */
import cliProgress from "cli-progress";

export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {percentage}% {value}/{total} {label}`,
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = "") {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    // A stopped bar starts again on the next update, so a warning line can be printed between the two.
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
