import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import {
  dequantizeState,
  encodeSafetensors,
  quantizeState,
  readSafetensors,
  type SafeTensor,
  toFloat32,
} from "./safetensors.js";

const dir = tempDir("sigla-safetensors-");

function f32(name: string, shape: number[], values: number[]): SafeTensor {
  return { name, dtype: "F32", shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

async function code(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    assert.ok(isSiglaError(error), `untyped error: ${error}`);
    return `${error.code}: ${error.message}`;
  }
  return "no error";
}

const weight = f32("layer.weight", [2, 3], [0.5, -1, 0.25, 2, 0, -0.125]);
const bias = f32("layer.bias", [3], [1, 2, 3]);
const ids = {
  name: "ids",
  dtype: "I64",
  shape: [2],
  data: new Uint8Array(new BigInt64Array([7n, -3n]).buffer),
} as SafeTensor;

test("encode and read round-trip tensors, dtypes, shapes and metadata; the data starts 8-aligned", async () => {
  const bytes = encodeSafetensors([weight, bias, ids], { format: "pt" });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(headerLength % 8, 0);
  const path = join(dir, "round.safetensors");
  await writeFile(path, bytes);
  const { tensors, metadata } = await readSafetensors(path);
  assert.equal(metadata, { format: "pt" });
  assert.equal(
    tensors.map((t) => [t.name, t.dtype, t.shape]),
    [
      ["layer.weight", "F32", [2, 3]],
      ["layer.bias", "F32", [3]],
      ["ids", "I64", [2]],
    ],
  );
  assert.equal([...toFloat32(tensors[0])], [0.5, -1, 0.25, 2, 0, -0.125]);
  assert.equal([...toFloat32(tensors[2])], [7, -3]);
});

test("toFloat32 converts F16 and BF16; I8 gives raw values", () => {
  const half: SafeTensor = {
    name: "h",
    dtype: "F16",
    shape: [3],
    data: new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer),
  };
  assert.equal(
    [...toFloat32(half)].map((v) => Math.round(v * 1e4) / 1e4),
    [1, -2, 0.3333],
  );
  const brain: SafeTensor = {
    name: "b",
    dtype: "BF16",
    shape: [2],
    data: new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer),
  };
  assert.equal([...toFloat32(brain)], [1, -3]);
  const codes: SafeTensor = {
    name: "q",
    dtype: "I8",
    shape: [2],
    data: new Uint8Array(new Int8Array([-127, 5]).buffer),
  };
  assert.equal([...toFloat32(codes)], [-127, 5]);
});

test("int8 quantisation is per row with a .scale beside it and dequantises within half a step", () => {
  const state = quantizeState([weight, bias], "int8");
  assert.equal(
    state.map((t) => [t.name, t.dtype, t.shape]),
    [
      ["layer.weight", "I8", [2, 3]],
      ["layer.weight.scale", "F32", [2]],
      ["layer.bias", "F32", [3]],
    ],
  );
  const scales = toFloat32(state[1]);
  assert.ok(Math.abs(scales[0] - 1 / 127) < 1e-7 && Math.abs(scales[1] - 2 / 127) < 1e-7, "max|row| / 127");
  const back = dequantizeState(state);
  assert.equal([...back.keys()], ["layer.weight", "layer.bias"], "scales are consumed");
  const original = toFloat32(weight);
  const restored = back.get("layer.weight") as Float32Array;
  for (let i = 0; i < original.length; i++) {
    assert.ok(Math.abs(original[i] - restored[i]) <= scales[Math.floor(i / 3)] / 2 + 1e-7, `value ${i}`);
  }
  assert.equal([...(back.get("layer.bias") as Float32Array)], [1, 2, 3]);
});

test("fp16 quantisation halves matrices and keeps vectors in F32", async () => {
  const state = quantizeState([weight, bias], "fp16");
  assert.equal(
    state.map((t) => [t.dtype, t.data.length]),
    [
      ["F16", 12],
      ["F32", 12],
    ],
  );
  assert.equal(
    [...(dequantizeState(state).get("layer.weight") as Float32Array)],
    [0.5, -1, 0.25, 2, 0, -0.125],
  );
  assert.match(
    await code(() => quantizeState([weight, f32("layer.weight.scale", [1], [1])], "int8")),
    "SIGLA_INVALID_INPUT",
  );
});

test("damaged files are SIGLA_MODULE_INVALID naming the file; a missing one SIGLA_MODULE_NOT_FOUND", async () => {
  const good = encodeSafetensors([weight, bias]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["truncated", good.subarray(0, good.length - 5), /truncated/],
    ["tiny", good.subarray(0, 5), /fewer than the 8/],
    ["huge-header", Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x7b]), /header claims/],
    [
      "not-json",
      Uint8Array.from([...new Uint8Array(new BigUint64Array([4n]).buffer), 0x7b, 0x7b, 0x7b, 0x7b]),
      /not JSON/,
    ],
  ];
  const header = (json: object) => {
    const text = new TextEncoder().encode(JSON.stringify(json));
    const out = new Uint8Array(8 + text.length + 8);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    return out;
  };
  cases.push(
    ["bad-dtype", header({ x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }), /dtype "F64"/],
    ["bad-size", header({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }), /do not hold F32\[3\]/],
    [
      "overlap",
      header({
        x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        y: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
      }),
      /overlap/,
    ],
  );
  for (const [name, bytes, problem] of cases) {
    const path = join(dir, `${name}.safetensors`);
    await writeFile(path, bytes);
    const message = await code(readSafetensors(path));
    assert.match(message, /^SIGLA_MODULE_INVALID: /, name);
    assert.match(message, path, name);
    assert.match(message, problem, name);
  }
  assert.match(await code(readSafetensors(join(dir, "absent.safetensors"))), /^SIGLA_MODULE_NOT_FOUND/);
  assert.match(
    await code(() => encodeSafetensors([{ ...weight, shape: [4, 3] }])),
    /SIGLA_INVALID_INPUT.*needs 48/,
  );
});

test.run();
