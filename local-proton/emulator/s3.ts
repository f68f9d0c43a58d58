/**
 * The stand-in for Amazon S3 that template version registration reads bundles from: tests put the real
 * bundle bytes here under the bucket and key they pass as `source.s3` to Create…TemplateVersion.
 */
export class S3StandIn {
  private static id(bucket: string, key: string): string {
    return `${bucket}/${key}`;
  }

  /** Told each put that changes an object (a journal records them: registrations read the bundles). */
  onPut?: (bucket: string, key: string, body: Buffer) => void;
  private readonly objects = new Map<string, Buffer>();

  /** Stores (or replaces) an object. */
  putObject(bucket: string, key: string, body: Buffer): void {
    if (this.onPut && !this.objects.get(S3StandIn.id(bucket, key))?.equals(body)) this.onPut(bucket, key, body);
    this.objects.set(S3StandIn.id(bucket, key), Buffer.from(body));
  }

  /** The object's bytes, or undefined when there is none. */
  getObject(bucket: string, key: string): Buffer | undefined {
    return this.objects.get(S3StandIn.id(bucket, key));
  }

  has(bucket: string, key: string): boolean {
    return this.objects.has(S3StandIn.id(bucket, key));
  }

}
