/**
 * tslab's Jupyter server with what the SIGLA kernel needs on top (tslab 1.0.22 has no hooks, so this
 * subclass replaces three of its message handlers; see kernel/README.md):
 *
 * - `execute_request`: cells run through a {@link CellQueue} that honours `stop_on_error` (no 200 ms abort
 *   window after a failure), each counted as ipykernel counts them (`execute_input` on IOPub with the
 *   code and its count, `execution_count` in the reply), and an aborted cell says why on stderr;
 * - `kernel_info_request`: after each reply the launcher hears that a front end is connecting (it warms up
 *   once they stop coming: a client asks again until its IOPub connection sees the kernel);
 * - `shutdown_request`: the reply goes out, then the launcher's shutdown runs (it closes the workbench,
 *   so its store's snapshot is written, and exits).
 */
import { createRequire } from "node:module";
import { CellQueue } from "./cell-queue.js";

type Jupyter = typeof import("tslab/dist/jupyter.js");
type Executor = import("tslab/dist/executor.js").Executor;
type Message = Parameters<InstanceType<Jupyter["ZmqServer"]>["handleExecute"]>[1];
type DisplayData = Parameters<Jupyter["lastWriteDisplayData"]>[0];

// CommonJS without an exports map: `require` keeps `lastWriteDisplayData` a live, writable export.
const require = createRequire(import.meta.url);
const jupyter: Jupyter = require("tslab/dist/jupyter.js");

/** The fields of an execute_request the kernel reads. */
interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** What an aborted cell shows on stderr. */
export const ABORTED_NOTE = "not run: a cell before it failed, and the run stops at an error\n";

/** What the launcher does when the front end first connects and when it asks the kernel to stop. */
export interface ServerHooks {
  /** After each kernel_info reply: a front end is connecting (it may ask again until it sees IOPub). */
  kernelInfo(): void;
  /** After the shutdown reply: close what is open, then exit. */
  shutdown(): void;
}

/** tslab's ZmqServer with counted, queue-honest executes and a shutdown that waits for the workbench. */
export class SiglaServer extends jupyter.ZmqServer {
  private readonly cells = new CellQueue();
  private executionCount = 0;

  constructor(
    private readonly executor: Executor,
    configPath: string,
    private readonly hooks: ServerHooks,
  ) {
    super(new jupyter.JupyterHandlerImpl(executor, false), configPath);
  }

  override handleKernelInfo(sock: unknown, msg: Message): void {
    super.handleKernelInfo(sock, msg);
    this.hooks.kernelInfo();
  }

  override handleShutdown(sock: unknown, msg: Message): void {
    super.handleShutdown(sock, msg);
    this.hooks.shutdown();
  }

  override async handleExecute(sock: unknown, msg: Message): Promise<void> {
    const request = msg.content as ExecuteRequest;
    const publish = (type: string, content: object) => {
      const out = msg.createReply();
      out.header.msg_type = type;
      out.content = content;
      out.signAndSend(this.connInfo.key, this.iopub);
    };
    const writeStream = (name: string, text: string) => publish("stream", { name, text });
    const writeDisplayData = (data: DisplayData, update: boolean) =>
      publish(update ? "update_display_data" : "display_data", data);
    let count = this.executionCount;
    const status = await this.cells.run(async () => {
      if (!request.silent && request.store_history !== false) this.executionCount += 1;
      count = this.executionCount;
      if (!request.silent) publish("execute_input", { code: request.code, execution_count: count });
      this.sendOutputTo(writeStream, writeDisplayData);
      return this.executor.execute(request.code);
    }, request.stop_on_error !== false);
    if (status === "aborted") writeStream("stderr", ABORTED_NOTE);
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content =
      status === "ok"
        ? { status, execution_count: count, payload: [], user_expressions: {} }
        : status === "error"
          ? // tslab has already written the error (type error or exception) on stderr.
            {
              status,
              execution_count: count,
              ename: "Error",
              evalue: "the cell failed (see stderr)",
              traceback: [],
            }
          : { status };
    reply.signAndSend(this.connInfo.key, sock);
  }

  /**
   * The running cell's stdout, stderr and displays go to its request (as tslab does it: they stay there
   * after the cell ends, like the Python kernel's, until the next cell starts).
   */
  private sendOutputTo(
    writeStream: (name: string, text: string) => void,
    writeDisplayData: (data: DisplayData, update: boolean) => void,
  ): void {
    const handler = this.handler as InstanceType<Jupyter["JupyterHandlerImpl"]>;
    process.stdout.write = handler.createWriteToIopub("stdout", writeStream) as typeof process.stdout.write;
    process.stderr.write = handler.createWriteToIopub("stderr", writeStream) as typeof process.stderr.write;
    (jupyter as { lastWriteDisplayData: unknown }).lastWriteDisplayData = writeDisplayData;
  }
}
