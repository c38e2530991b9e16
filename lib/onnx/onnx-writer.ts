/**
 * A small, dependency-free ONNX model writer: a typed graph builder over a hand-written protobuf
 * encoder. Field numbers follow onnx/onnx.proto (IR version 8). It writes what our generated test and
 * benchmark models need — dense tensors in `raw_data`, value infos with numeric or symbolic dims, node
 * attributes of the common kinds and opset imports — and checks the graph is well formed before encoding.
 *
 * ```ts
 * const g = new OnnxGraphBuilder("scores");
 * g.input("q", "float32", ["batch", 4]);
 * g.initializer("x", "float32", [3, 4], weights);
 * g.node("Gemm", ["q", "x"], ["s"], { transB: 1 });
 * g.output("s", "float32", ["batch", 3]);
 * const bytes = g.toBytes({ opset: 17 });
 * ```
 */
import { InvalidInputError } from "../errors.js";
import { checkDims, checkTensor, requireName, toTypedAttribute } from "./onnx-checks.js";
import { encodeNode, encodeTensor, encodeValueInfo } from "./onnx-encode.js";
import type {
  AttributeValue,
  Dim,
  ElementType,
  ModelOptions,
  NodeOptions,
  NodeSpec,
  TensorData,
  TensorElementType,
  TensorSpec,
  TypedAttribute,
  ValueInfo,
} from "./onnx-types.js";
import { ProtoWriter } from "./proto-writer.js";

export {
  type AttributeValue,
  attr,
  type Dim,
  type ElementType,
  type ModelOptions,
  type NodeOptions,
  type TensorData,
  type TensorElementType,
  type TensorSpec,
  type TypedAttribute,
} from "./onnx-types.js";

/** Builds one ONNX graph and serialises it as a complete `ModelProto`. */
export class OnnxGraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: { name: string; tensor: TensorSpec }[] = [];
  private readonly nodes: NodeSpec[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs), to catch duplicates early. */
  private readonly defined = new Set<string>();
  private counter = 0;

  /** @param name the graph's name (`GraphProto.name`). */
  constructor(readonly name: string) {}

  /** Declares a graph input. */
  input(name: string, type: ElementType, dims?: readonly Dim[]): this {
    const checked = checkDims(name, dims);
    this.define(name);
    this.inputs.push({ name, type, dims: checked });
    return this;
  }

  /** Declares a graph output; `dims` may be omitted when the rank is unknown. */
  output(name: string, type: ElementType, dims?: readonly Dim[]): this {
    requireName(name, "output");
    if (this.outputs.some((o) => o.name === name))
      throw new InvalidInputError(`output "${name}" declared twice`);
    this.outputs.push({ name, type, dims: checkDims(name, dims) });
    return this;
  }

  /** Adds a constant tensor (weights, shapes, indices). Typed arrays are read when `toBytes` runs. */
  initializer(name: string, type: TensorElementType, dims: readonly number[], data: TensorData): this {
    const tensor = checkTensor(name, { type, dims, data });
    this.define(name);
    this.initializers.push({ name, tensor });
    return this;
  }

  /** Adds an initializer under a fresh name and returns that name. */
  constant(type: TensorElementType, dims: readonly number[], data: TensorData, prefix = "const"): string {
    const name = this.fresh(prefix);
    this.initializer(name, type, dims, data);
    return name;
  }

  /** Adds a node. Use "" for an omitted optional input. Nodes must be added in topological order. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): this {
    requireName(opType, "op type");
    if (outputs.length === 0) throw new InvalidInputError(`${opType} node needs at least one output`);
    const typed = Object.entries(attributes).map(
      ([key, value]) => [key, toTypedAttribute(opType, key, value)] as [string, TypedAttribute],
    );
    for (const output of outputs) if (output !== "") this.define(output);
    this.nodes.push({
      opType,
      inputs: [...inputs],
      outputs: [...outputs],
      attributes: typed,
      name: options.name ?? `${opType}_${this.nodes.length}`,
      domain: options.domain ?? "",
    });
    return this;
  }

  /** Adds a single-output node and returns its (fresh) output name — handy for chaining ops. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): string {
    const output = this.fresh(opType.toLowerCase());
    this.node(opType, inputs, [output], attributes, options);
    return output;
  }

  /** A value name not used yet, e.g. "matmul_12". */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.defined.has(name));
    return name;
  }

  /** Checks the graph and encodes the whole model. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    const opset = options.opset ?? 17;
    const domains: Record<string, number> = { "": opset, ...options.domains };
    this.validate(domains);

    const model = new ProtoWriter();
    model.int(1, options.irVersion ?? 8); // ir_version
    model.string(2, options.producerName ?? "sigla"); // producer_name
    model.message(7, this.encodeGraph()); // graph
    for (const [domain, version] of Object.entries(domains)) {
      const set = new ProtoWriter();
      if (domain !== "") set.string(1, domain); // domain
      set.int(2, version); // version
      model.message(8, set); // opset_import
    }
    return model.finish();
  }

  private define(name: string): void {
    requireName(name, "value");
    if (this.defined.has(name)) throw new InvalidInputError(`value "${name}" is defined twice`);
    this.defined.add(name);
  }

  /** Every node input must exist before the node (ONNX requires topological order); outputs must exist. */
  private validate(domains: Record<string, number>): void {
    const available = new Set<string>([...this.inputs, ...this.initializers].map((v) => v.name));
    for (const node of this.nodes) {
      if (!(node.domain in domains)) {
        throw new InvalidInputError(`node ${node.name} uses domain "${node.domain}" without an opset for it`);
      }
      for (const input of node.inputs) {
        if (input !== "" && !available.has(input)) {
          throw new InvalidInputError(
            `node ${node.name} (${node.opType}) reads "${input}" before it is defined`,
          );
        }
      }
      for (const output of node.outputs) if (output !== "") available.add(output);
    }
    for (const output of this.outputs) {
      if (!available.has(output.name))
        throw new InvalidInputError(`graph output "${output.name}" is never produced`);
    }
  }

  private encodeGraph(): ProtoWriter {
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.message(1, encodeNode(node)); // node
    graph.string(2, this.name); // name
    for (const { name, tensor } of this.initializers) graph.message(5, encodeTensor(tensor, name)); // initializer
    for (const input of this.inputs) graph.message(11, encodeValueInfo(input)); // input
    for (const output of this.outputs) graph.message(12, encodeValueInfo(output)); // output
    return graph;
  }
}
