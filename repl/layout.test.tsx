import { cleanup, render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { STEPS, type TraceEvent } from "../lib/pipeline/types.js";
import { GaugesLine } from "./gauges.js";
import { visibleSlice } from "./input-line.js";
import { type LiveParts, screenLayout } from "./layout.js";
import { plain } from "./test-helpers.js";
import { TraceLine } from "./trace-panel.js";

test.after.each(() => cleanup());

/** Every combination of the optional parts of the live region. */
function allParts(): LiveParts[] {
  const names = ["writing", "job", "progress", "queued", "choices"] as const;
  return Array.from({ length: 1 << names.length }, (_, bits) =>
    Object.fromEntries(names.map((name, i) => [name, Boolean(bits & (1 << i))])),
  );
}

test("below 100 columns or 30 rows the layout is compact; 140×45 and 100×30 keep the full one", () => {
  assert.ok(screenLayout({ columns: 80, rows: 24 }).compact);
  assert.ok(screenLayout({ columns: 99, rows: 45 }).compact);
  assert.ok(screenLayout({ columns: 140, rows: 29 }).compact);
  const full = screenLayout({ columns: 140, rows: 45 }, { writing: true, job: true });
  assert.not.ok(full.compact);
  assert.is(full.traceWidth + full.gaugesWidth, 140);
  assert.is(full.liveRows, 8);
  assert.not.ok(screenLayout({ columns: 100, rows: 30 }).compact);
});

test("the live region always ends above the terminal's last row, whatever it holds", () => {
  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 100, rows: 30 },
    { columns: 140, rows: 45 },
    { columns: 60, rows: 14 },
    { columns: 200, rows: 30 },
  ]) {
    for (const parts of allParts()) {
      const layout = screenLayout(size, parts);
      assert.ok(
        layout.height < size.rows,
        `${size.columns}×${size.rows} ${JSON.stringify(parts)}: ${layout.height} rows`,
      );
      if (parts.writing) assert.ok(layout.liveRows >= 1, "at least one line of the model's text");
    }
  }
  // At 80×24 nothing gives way.
  const small = screenLayout({ columns: 80, rows: 24 }, { writing: true, job: true, queued: true });
  assert.ok(small.gauges && small.hint);
  assert.is(small.liveRows, 8);
});

function event(index: number, status: "start" | "end", ms = 0): TraceEvent {
  return { turn: 2, step: STEPS[index - 1], index, status, startedAt: 0, ms, summary: "", data: {} };
}

test("the compact trace is one line of step marks, with the step in work or the slowest step", () => {
  const running = render(
    <TraceLine events={[event(1, "end", 3), event(2, "end", 9), event(3, "start")]} turn={2} running />,
  );
  assert.match(plain(running.lastFrame()), /^trace · turn 2 ✓✓[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]·{7} telos$/);
  running.unmount();
  const done = render(
    <TraceLine
      events={STEPS.map((_, i) => event(i + 1, "end", i === 5 ? 40 : 1))}
      turn={2}
      running={false}
    />,
  );
  assert.match(plain(done.lastFrame()), /^trace · turn 2 · 49 ms ✓{10} slowest memory 40\.0 ms$/);
  done.unmount();
  const none = render(<TraceLine events={[]} turn={0} running={false} />);
  assert.match(plain(none.lastFrame()), /^trace · no turn yet ·{10}$/);
  none.unmount();
});

test("the compact gauges are one line: the four metrics, voice, phase, mode, Ω and Λ", () => {
  const state = {
    metrics: { pain: 0.1, trust: 0.8, clarity: 0.45, drift: 0.7 },
    voice: "ISKRIV" as const,
    phase: "exploring" as const,
    mode: "deep" as const,
    delta: { delta: "2 turns", depth: "3 citations", omega: 0.71, lambda: "read ivf.md" },
  };
  const line = render(<GaugesLine state={state} />);
  assert.match(
    plain(line.lastFrame()),
    /^state pain 0\.10 trust 0\.80 clarity 0\.45 drift 0\.70 · ISKRIV exploring deep · Ω 0\.71 · Λ read ivf\.md$/,
  );
  line.unmount();
  const empty = render(<GaugesLine />);
  assert.match(plain(empty.lastFrame()), /^state · no turn yet$/);
  empty.unmount();
});

test("a line longer than the terminal scrolls sideways around the cursor", () => {
  assert.equal(visibleSlice("short", 5, 20), { text: "short", cursor: 5, cutStart: false, cutEnd: false });
  const text = "abcdefghijklmnopqrstuvwxyz";
  const end = visibleSlice(text, text.length, 10);
  assert.is(end.text, "stuvwxyz");
  assert.ok(end.cutStart && !end.cutEnd);
  assert.is(end.text.length + 1 + 1, 10, "the mark, the text and the cursor fill the width");
  const start = visibleSlice(text, 0, 10);
  assert.is(start.text, "abcdefgh");
  assert.ok(!start.cutStart && start.cutEnd);
  const middle = visibleSlice(text, 13, 10);
  assert.ok(middle.cutStart && middle.cutEnd);
  assert.is(middle.text[middle.cursor], "n", "the cursor stays on its character");
});

test.run();
