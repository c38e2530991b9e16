import { cleanup, render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { complete } from "../lib/commands/complete.js";
import { STEPS, type TraceEvent } from "../lib/pipeline/types.js";
import { Gauges } from "./gauges.js";
import { InputLine } from "./input-line.js";
import { ProgressBar } from "./progress.js";
import { KEYS, plain, tick, waitFor } from "./test-helpers.js";
import { stepRows, TracePanel } from "./trace-panel.js";
import { useLineEditor } from "./use-line-editor.js";

// A failed assertion must not leave an app mounted: its spinner and stdin listener would keep the run alive.
test.after.each(() => cleanup());

function event(index: number, status: "start" | "end", ms = 0, summary = ""): TraceEvent {
  return { turn: 3, step: STEPS[index - 1], index, status, startedAt: 0, ms, summary, data: {} };
}

test("the trace panel shows done steps with times and summaries, the running one, and those still waiting", () => {
  const events = [event(1, "start"), event(1, "end", 12.34, "16 chars, eng"), event(2, "start")];
  const rows = stepRows(events);
  assert.equal(
    rows.slice(0, 3).map((r) => r.status),
    ["done", "running", "waiting"],
  );
  const { lastFrame, unmount } = render(<TracePanel events={events} turn={3} running width={80} />);
  const frame = plain(lastFrame());
  assert.match(frame, /trace · turn 3/);
  assert.match(frame, /1 perception\s+✓\s+12\.3 ms 16 chars, eng/);
  assert.match(frame, /2 context\s+[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  assert.match(frame, /10 feedback\s+·/);
  unmount();
  const done = render(
    <TracePanel events={[event(1, "end", 5), event(2, "end", 7)]} turn={3} running={false} width={80} />,
  );
  assert.match(plain(done.lastFrame()), /trace · turn 3 · 12 ms/);
  done.unmount();
});

test("the gauges show the four metrics, voice, phase, mode and the ∆DΩΛ block", () => {
  const state = {
    metrics: { pain: 0.1, trust: 0.8, clarity: 0.45, drift: 0.7 },
    voice: "ISKRIV" as const,
    phase: "exploring" as const,
    mode: "deep" as const,
    delta: { delta: "2 turns stored", depth: "3 citations from archive", omega: 0.71, lambda: "read ivf.md" },
  };
  const { lastFrame, unmount } = render(<Gauges state={state} width={60} />);
  const frame = plain(lastFrame());
  assert.match(frame, /pain\s+██░+ 0\.10/);
  assert.match(frame, /trust\s+█{16}░{4} 0\.80/);
  assert.match(frame, /drift\s+█{14}░{6} 0\.70/);
  assert.match(frame, /voice ISKRIV phase exploring mode deep/);
  assert.match(frame, /Δ: 2 turns stored/);
  assert.match(frame, /Ω: 0\.71/);
  assert.match(frame, /Λ: read ivf\.md/);
  unmount();
  const empty = render(<Gauges width={60} />);
  assert.match(plain(empty.lastFrame()), /no turn yet/);
  empty.unmount();
});

test("the progress bar shows the share, the count and the item in work", () => {
  const { lastFrame, unmount } = render(
    <ProgressBar
      progress={{ job: "ingest", done: 15, total: 60, unit: "files", label: "lancedb/x.md" }}
      width={20}
    />,
  );
  assert.match(
    plain(lastFrame()),
    /^ingest \[█{5} {15}\] {2}25% 15\/60 files lancedb\/x\.md · Ctrl-C cancels$/,
  );
  unmount();
});

function Line({ onSubmit, history }: { onSubmit: (line: string) => void; history: string[] }) {
  const editor = useLineEditor({ onSubmit, history, complete: (line) => complete(line) });
  return <InputLine editor={editor} active hint="ask" />;
}

test("the input line: a burst of text and Enter submits the whole line; editing keys work", async () => {
  const submitted: string[] = [];
  const { stdin, lastFrame, unmount } = render(<Line onSubmit={(l) => submitted.push(l)} history={[]} />);
  await tick();
  stdin.write("What is LanceDB?\r");
  await waitFor(() => submitted.length === 1, "the submit");
  assert.equal(submitted, ["What is LanceDB?"]);
  stdin.write("abc");
  stdin.write(KEYS.left);
  stdin.write("X");
  stdin.write(KEYS.backspace);
  stdin.write("Y");
  await tick();
  assert.match(plain(lastFrame()), /› abYc/);
  stdin.write(KEYS.ctrlU);
  stdin.write("two");
  stdin.write(KEYS.enter);
  await waitFor(() => submitted.length === 2, "the second submit");
  assert.is(submitted[1], "twoc", "Ctrl-U cut what was before the cursor");
  unmount();
});

test("the input line: ↑/↓ walk the history and Tab completes commands, listing ambiguous ones", async () => {
  const submitted: string[] = [];
  const { stdin, lastFrame, unmount } = render(
    <Line onSubmit={(l) => submitted.push(l)} history={[":help", "first question"]} />,
  );
  await tick();
  stdin.write("dra");
  stdin.write(KEYS.up);
  await tick();
  assert.match(plain(lastFrame()), /› first question/);
  stdin.write(KEYS.up);
  stdin.write(KEYS.down);
  stdin.write(KEYS.down);
  await tick();
  assert.match(plain(lastFrame()), /› dra/);
  stdin.write(KEYS.ctrlU);
  stdin.write(":qu");
  stdin.write(KEYS.tab);
  await waitFor(() => /query {2}:quit/.test(plain(lastFrame())), "the two candidates");
  stdin.write("e");
  stdin.write(KEYS.tab);
  await waitFor(
    () => /› :query $/.test(`${plain(lastFrame()).split("\n")[0].trimEnd()} `),
    "the completed command",
  );
  stdin.write("x\r");
  await waitFor(() => submitted.length === 1, "the submit");
  assert.is(submitted[0], ":query x");
  unmount();
});

test.run();
