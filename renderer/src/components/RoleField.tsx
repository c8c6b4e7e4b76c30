import type { RolePreview } from '../../../main/contract/replication.js';
import { RolePolicyPreview } from './RolePolicyPreview.js';
import { TextField } from './TextField.js';

interface Props {
  id: string;
  local: boolean;
  /** The role ARN as typed. */
  value: string;
  onChange: (value: string) => void;
  /** The policies the role needs for these rules (AWS only). */
  preview: RolePreview | null;
  hint?: string;
}

const DEFAULT_HINT =
  "The role S3 assumes to copy objects, e.g. arn:aws:iam::111122223333:role/replication. Leave empty to keep the bucket's role.";

/** The IAM role S3 assumes: none for local regions; on AWS its ARN and the policies it needs. */
export function RoleField({ id, local, value, onChange, preview, hint = DEFAULT_HINT }: Props) {
  if (local) {
    return (
      <div className="notice" role="note">
        <p className="notice-title">Local regions need no IAM role</p>
        <p>The local regions replicate by themselves; no role is created or assumed.</p>
      </div>
    );
  }
  return (
    <fieldset>
      <legend>IAM role</legend>
      <TextField id={id} label="IAM role ARN" value={value} hint={hint} onChange={onChange} />
      {preview ? (
        <details className="role-details" open={value.trim() === ''}>
          <summary>Policies this role needs</summary>
          <RolePolicyPreview
            level={5}
            role={preview}
            intro="Create the role in IAM with these two policies (or check that the role you name has them) before saving."
          />
        </details>
      ) : null}
    </fieldset>
  );
}
