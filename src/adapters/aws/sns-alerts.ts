import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { Alert, Alerts } from "../../ports/alerts.js";
import { asTransient } from "./errors.js";

/**
 * Alerts to an SNS topic: the subject line fits SNS's 100-character limit, the message is the
 * alert as JSON, and `kind` is a message attribute subscribers can filter on.
 *
 * @example
 *   await new SnsAlerts(new SNSClient({}), topicArn).publish(alert);
 */
export class SnsAlerts implements Alerts {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: alert.subject.replace(/[^\x20-\x7e]/g, " ").slice(0, 100),
          Message: JSON.stringify(alert, null, 2),
          MessageAttributes: { kind: { DataType: "String", StringValue: alert.kind } },
        }),
      );
    } catch (error) {
      throw asTransient(error, "SNS Publish");
    }
  }
}
