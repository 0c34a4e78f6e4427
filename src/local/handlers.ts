import { handler as awaitLoad } from "../../functions/await-load/handler.js";
import { handler as checkQuality } from "../../functions/check-quality/handler.js";
import { handler as merge } from "../../functions/merge/handler.js";
import { handler as notify } from "../../functions/notify/handler.js";
import { handler as planBatch } from "../../functions/plan-batch/handler.js";
import { handler as publish } from "../../functions/publish/handler.js";
import { handler as quarantineRun } from "../../functions/quarantine-run/handler.js";
import { handler as recordRun } from "../../functions/record-run/handler.js";
import { handler as verifyLoad } from "../../functions/verify-load/handler.js";
import type { TaskFunctionName } from "../core/asl.js";
import type { LambdaHandler } from "./tasks.js";

/** The handlers the state machine's Lambda tasks run: the very modules deployed to Lambda. */
export const taskHandlers: Readonly<Record<TaskFunctionName, LambdaHandler>> = {
  "plan-batch": planBatch as unknown as LambdaHandler,
  "check-quality": checkQuality as unknown as LambdaHandler,
  publish: publish as unknown as LambdaHandler,
  "await-load": awaitLoad as unknown as LambdaHandler,
  merge: merge as unknown as LambdaHandler,
  "verify-load": verifyLoad as unknown as LambdaHandler,
  "quarantine-run": quarantineRun as unknown as LambdaHandler,
  notify: notify as unknown as LambdaHandler,
  "record-run": recordRun as unknown as LambdaHandler,
};
