import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from "@aws-sdk/client-sts";
import { TransientError } from "../../errors.js";
import { asTransient } from "./errors.js";

/** Temporary credentials in the shape an AWS SDK v3 client's `credentials` option takes. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * A credentials provider that acts as another IAM role (STS AssumeRole), for a client that must sign in as that
 * role's identity: migrate-warehouse creates the COPY JOBs as the loader role, so that their database owner is the
 * user AwaitLoad signs in as. The SDK calls it again once the credentials are about to expire.
 *
 * @example
 *   const data = new RedshiftDataClient({ credentials: assumedRole(new STSClient({}), loaderRoleArn, "migrate-warehouse") });
 */
export const assumedRole =
  (sts: STSClient, roleArn: string, sessionName: string) => async (): Promise<TemporaryCredentials> => {
    let output: AssumeRoleCommandOutput;
    try {
      output = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 900 }),
      );
    } catch (error) {
      throw asTransient(error, `STS AssumeRole ${roleArn}`);
    }
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = output.Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) {
      throw new TransientError(`STS AssumeRole ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: Expiration,
    };
  };
