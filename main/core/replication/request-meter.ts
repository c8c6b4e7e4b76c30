// Counts the S3 requests the replication code makes, so polling cost is a measured figure
// (requests per settled file), not a guess.
import type { S3Client } from '@aws-sdk/client-s3';

export interface RequestStats {
  /** S3 operations sent (each may be several HTTP attempts when the SDK retries). */
  requests: number;
  /** HTTP attempts, retries included (from the SDK's $metadata.attempts). */
  httpAttempts: number;
  byOperation: Record<string, number>;
}

type Send = (command: unknown, options?: unknown) => Promise<unknown>;

interface WithAttempts {
  $metadata?: { attempts?: number };
}

export class RequestMeter {
  private requests = 0;
  private httpAttempts = 0;
  private byOperation: Record<string, number> = {};
  private readonly wrapped = new WeakMap<S3Client, S3Client>();

  /** The same client, with every send counted. */
  wrap(client: S3Client): S3Client {
    let counted = this.wrapped.get(client);
    if (counted) return counted;
    const original = client.send.bind(client) as unknown as Send;
    const send: Send = async (command, options) => {
      const name = (command as { constructor: { name: string } }).constructor.name;
      const op = name.replace(/Command$/, '');
      try {
        const out = await original(command, options);
        this.count(op, (out as WithAttempts).$metadata?.attempts);
        return out;
      } catch (err) {
        this.count(op, (err as WithAttempts | null)?.$metadata?.attempts);
        throw err;
      }
    };
    counted = new Proxy(client, {
      get: (target, prop, receiver) =>
        prop === 'send' ? send : (Reflect.get(target, prop, receiver) as unknown),
    });
    this.wrapped.set(client, counted);
    return counted;
  }

  private count(op: string, attempts: number | undefined): void {
    this.requests++;
    this.httpAttempts += attempts ?? 1;
    this.byOperation[op] = (this.byOperation[op] ?? 0) + 1;
  }

  stats(): RequestStats {
    return {
      requests: this.requests,
      httpAttempts: this.httpAttempts,
      byOperation: { ...this.byOperation },
    };
  }

  reset(): void {
    this.requests = 0;
    this.httpAttempts = 0;
    this.byOperation = {};
  }
}
