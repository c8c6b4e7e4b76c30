// Other endpoints of a folder's bucket (RGW multisite zones, MinIO site replication, any
// active-active pair): one bucket name at several endpoints, so the group names each
// `name@label` (S3 bucket names never hold '@').
export function peerName(bucket: string, label: string): string {
  return `${bucket}@${label}`;
}
