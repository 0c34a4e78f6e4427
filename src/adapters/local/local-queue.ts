import { randomUUID } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { md5 } from "./s3-notifications.js";

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

export interface LocalQueueOptions {
  /** Messages per delivery (SQS event source mapping `BatchSize`). */
  readonly batchSize: number;
  /** How long the first message of a window waits for others (`MaximumBatchingWindowInSeconds`). */
  readonly windowMs: number;
  /** Deliveries before a message moves to the dead-letter file (the redrive policy's maxReceiveCount). */
  readonly maxReceiveCount: number;
  /** Where messages that never succeed end up (one JSON line each). */
  readonly deadLetterFile: string;
  /** The trigger: receives an SQS event, reports per-message failures. */
  readonly consumer: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  readonly queueArn: string;
  readonly region: string;
}

/**
 * The SQS queue of the local stage, between the raw bucket's notifications and the trigger. It
 * groups messages into a batch window like an event source mapping does (size or time, whichever
 * comes first), honours `ReportBatchItemFailures` (only failed messages come back), and moves a
 * message that keeps failing to a dead-letter file.
 *
 * @example
 *   queue.send(JSON.stringify(notification));
 *   await queue.drain(); // every message delivered, executions started
 */
export class LocalQueue {
  private readonly messages: Message[] = [];
  private timer: NodeJS.Timeout | undefined;
  private delivering: Promise<void> = Promise.resolve();
  deadLetters = 0;

  constructor(private readonly options: LocalQueueOptions) {}

  get depth(): number {
    return this.messages.length;
  }

  send(body: string): void {
    this.messages.push({ messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0 });
    if (this.messages.length >= this.options.batchSize) void this.flush();
    else if (!this.timer && this.options.windowMs > 0) {
      this.timer = setTimeout(() => void this.flush(), this.options.windowMs);
    }
  }

  /** Delivers what is queued now as one window (or several, past the batch size). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.delivering = this.delivering.then(() => this.deliverAll());
    return this.delivering;
  }

  /** Delivers until the queue is empty, redeliveries included. */
  async drain(): Promise<void> {
    while (this.messages.length > 0) await this.flush();
    await this.delivering;
  }

  private async deliverAll(): Promise<void> {
    while (this.messages.length > 0) {
      const batch = this.messages.splice(0, this.options.batchSize);
      await this.deliver(batch);
    }
  }

  private record(message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: "s3.amazonaws.com",
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: "aws:sqs",
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }

  private async deliver(batch: Message[]): Promise<void> {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
    }
    let failed: Set<string>;
    try {
      const response = await this.options.consumer({ Records: batch.map((m) => this.record(m)) });
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      // The whole invocation failed: every message of the batch comes back.
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        await mkdir(dirname(this.options.deadLetterFile), { recursive: true });
        await appendFile(
          this.options.deadLetterFile,
          `${JSON.stringify({ messageId: message.messageId, body: message.body, receiveCount: message.receiveCount, at: new Date().toISOString() })}\n`,
        );
        this.deadLetters += 1;
      } else {
        this.messages.push(message);
      }
    }
  }
}
