import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { fromFloat16Bits, quantizeQ4_0, quantizeQ8_0, toFloat16Bits } from "./gguf-format.js";
import { describeGguf, readGgufHeader } from "./gguf-header.js";
import { gguf, writeGguf } from "./gguf-writer.js";
import { pieceStream, stopStrings } from "./piece-stream.js";

test("half precision rounds to nearest even, keeps subnormals, saturates to infinity", () => {
  for (const value of [0, 1, -2.5, 0.1, 65504, 6.1e-5, 3e-7, -1e-3]) {
    const back = fromFloat16Bits(toFloat16Bits(value));
    assert.ok(Math.abs(back - value) <= Math.abs(value) * 1e-3 + 6e-8, `${value} → ${back}`);
  }
  assert.is(toFloat16Bits(1), 0x3c00);
  assert.is(toFloat16Bits(-2), 0xc000);
  assert.is(toFloat16Bits(1e6), 0x7c00);
  assert.is(toFloat16Bits(1 + 2 ** -11), 0x3c00, "a tie rounds to the even mantissa");
});

/** Dequantises Q8_0 / Q4_0 blocks the way ggml does. */
function dequantize(bytes: Uint8Array, kind: "Q8_0" | "Q4_0"): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const size = kind === "Q8_0" ? 34 : 18;
  const out = new Float32Array((bytes.length / size) * 32);
  for (let b = 0; b < bytes.length / size; b++) {
    const d = fromFloat16Bits(view.getUint16(b * size, true));
    for (let j = 0; j < (kind === "Q8_0" ? 32 : 16); j++) {
      if (kind === "Q8_0") out[b * 32 + j] = view.getInt8(b * size + 2 + j) * d;
      else {
        const q = bytes[b * size + 2 + j];
        out[b * 32 + j] = ((q & 15) - 8) * d;
        out[b * 32 + j + 16] = ((q >> 4) - 8) * d;
      }
    }
  }
  return out;
}

test("Q8_0 and Q4_0 blocks dequantise to within half a step of the input", () => {
  const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * (i < 32 ? 1 : 0.01));
  for (const [kind, quantize, steps] of [
    ["Q8_0", quantizeQ8_0, 127],
    ["Q4_0", quantizeQ4_0, 8],
  ] as const) {
    const back = dequantize(quantize(values), kind);
    for (let block = 0; block < 2; block++) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const step = Math.max(...slice.map(Math.abs)) / steps;
      for (let j = 0; j < 32; j++) {
        // Q4_0 codes reach -8·d but only +7·d, so the side opposite the largest value may clamp by a step.
        const tolerance = step * (kind === "Q4_0" ? 1.01 : 0.51) + 1e-4;
        assert.ok(Math.abs(back[block * 32 + j] - slice[j]) <= tolerance, `${kind} block ${block} #${j}`);
      }
    }
  }
});

test("a written GGUF file reads back: metadata types, tensor infos, aligned data, truncation", async () => {
  const path = join(tempDir("sigla-gguf-"), "m.gguf");
  await writeGguf(
    path,
    {
      "general.architecture": "llama",
      "llama.context_length": gguf.u32(128),
      "llama.rope.freq_base": gguf.f32(10000),
      "tokenizer.ggml.tokens": ["a", "b"],
      "tokenizer.ggml.scores": gguf.array("float32", [0, -1]),
      "tokenizer.chat_template": "{{ x }}",
      flag: true,
    },
    [
      { name: "w", dims: [32, 2], type: "Q4_0", values: () => new Float32Array(64).fill(0.5) },
      { name: "n", dims: [3], type: "F32", values: () => new Float32Array([1, 2, 3]) },
    ],
  );
  const header = await readGgufHeader(path);
  assert.is(header.version, 3);
  assert.is(header.metadata.get("llama.context_length"), 128);
  assert.is(header.metadata.get("llama.rope.freq_base"), 10000);
  assert.equal(header.metadata.get("tokenizer.ggml.tokens"), { arrayLength: 2 });
  assert.is(header.metadata.get("flag"), true);
  assert.equal(
    header.tensors.map((t) => [t.name, t.dims, t.offset, t.bytes]),
    [
      ["w", [32, 2], 0, 36],
      ["n", [3], 64, 12],
    ],
  );
  assert.is(header.dataOffset % 32, 0);
  assert.equal(describeGguf(header), {
    architecture: "llama",
    name: undefined,
    contextLength: 128,
    chatTemplate: true,
    parameters: 67,
    quantization: "Q4_0",
  });
  try {
    await writeGguf(path, {}, [{ name: "x", dims: [33], type: "Q8_0", values: () => new Float32Array(33) }]);
    assert.unreachable("a row of 33 values cannot be Q8_0");
  } catch (error) {
    assert.match((error as Error).message, /does not fit Q8_0/);
  }
});

test("stop strings are held back across pieces and end the output", () => {
  const out: string[] = [];
  let stopped = 0;
  const filter = stopStrings(
    ["STOP"],
    (p) => out.push(p),
    () => stopped++,
  );
  for (const piece of ["one ST", "ill two S", "TO", "P three"]) filter.emit(piece);
  filter.flush();
  assert.is(out.join(""), "one STill two ");
  assert.is(stopped, 1);
  const plain: string[] = [];
  const none = stopStrings(
    undefined,
    (p) => plain.push(p),
    () => {},
  );
  none.emit("a");
  none.flush();
  assert.equal(plain, ["a"]);
});

test("pieceStream stops the generation when the reader leaves early", async () => {
  let stoppedBy: unknown;
  const stream = pieceStream(async (emit, signal) => {
    for (let i = 0; i < 100 && !signal.aborted; i++) {
      emit(`${i} `);
      await new Promise((r) => setTimeout(r, 1));
    }
    stoppedBy = signal.aborted;
  }, undefined);
  const seen: string[] = [];
  for await (const piece of stream) {
    seen.push(piece);
    if (seen.length === 3) break;
  }
  assert.equal(seen, ["0 ", "1 ", "2 "]);
  assert.is(stoppedBy, true);
});

test.run();
