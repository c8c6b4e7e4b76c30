import type { RolePreview } from '../../../main/contract/replication.js';
import { useExistingRoles } from '../hooks/use-role-offer.js';
import { RolePolicyPreview } from './RolePolicyPreview.js';
import { TextField } from './TextField.js';

interface Props {
  id: string;
  accountId: string;
  local: boolean;
  /** The role ARN as typed or picked. */
  value: string;
  onChange: (value: string) => void;
  /** The role the app would create for these rules, from the main side (AWS only). */
  preview: RolePreview | null;
  /** Why there is no preview (e.g. the account could not be learned). */
  previewMessage?: string | undefined;
  /** The editor: create the previewed role on save, or use an existing one. */
  create?: { chosen: boolean; onChoose: (create: boolean) => void } | undefined;
  hint?: string;
}

const DEFAULT_HINT =
  "The role S3 assumes to copy objects, e.g. arn:aws:iam::111122223333:role/replication. Leave empty to keep the bucket's role.";

/**
 * The IAM role S3 assumes: none for local regions; on AWS either the role the app creates
 * (its policies shown exactly) or an existing one, picked from the roles S3 may assume
 * (replication.listRoles) or entered as an ARN.
 */
export function RoleField(props: Props) {
  const { id, accountId, local, value, onChange, preview, previewMessage, create } = props;
  const hint = props.hint ?? DEFAULT_HINT;
  const creating = create?.chosen === true;
  const existing = useExistingRoles(accountId, !local && !creating);
  if (local) {
    return (
      <div className="notice" role="note">
        <p className="notice-title">Local regions need no IAM role</p>
        <p>The local regions replicate by themselves; no role is created or assumed.</p>
      </div>
    );
  }
  const roles = existing.roles ?? [];
  const picked = roles.some((r) => r.arn === value) ? value : '';
  return (
    <fieldset>
      <legend>IAM role</legend>
      {create ? (
        <>
          <div className="field field-check">
            <input
              id={`${id}-create`}
              type="radio"
              name={`${id}-choice`}
              checked={creating}
              disabled={preview === null}
              onChange={() => create.onChoose(true)}
            />
            <label htmlFor={`${id}-create`}>
              {preview ? `Create role ${preview.roleName}` : 'Create a role for these rules'}
            </label>
          </div>
          <div className="field field-check">
            <input
              id={`${id}-existing`}
              type="radio"
              name={`${id}-choice`}
              checked={!creating}
              onChange={() => create.onChoose(false)}
            />
            <label htmlFor={`${id}-existing`}>Use an existing role</label>
          </div>
        </>
      ) : null}
      {creating ? null : (
        <>
          <div className="field">
            <label htmlFor={`${id}-pick`}>Roles S3 can assume</label>
            <select
              id={`${id}-pick`}
              value={picked}
              aria-describedby={`${id}-pick-hint`}
              onChange={(event) => onChange(event.target.value)}
            >
              <option value="">
                {existing.roles === null && existing.error === null
                  ? 'Loading roles…'
                  : 'Other: enter its ARN below'}
              </option>
              {roles.map((r) => (
                <option key={r.arn} value={r.arn}>
                  {r.name}
                </option>
              ))}
            </select>
            <p className="field-hint" id={`${id}-pick-hint`}>
              {existing.error
                ? existing.error.message
                : existing.roles !== null && roles.length === 0
                  ? 'No IAM role of this account lets S3 assume it (roles are listed on AWS only).'
                  : 'Only roles whose trust policy lets s3.amazonaws.com assume them are listed.'}
            </p>
          </div>
          <TextField id={id} label="IAM role ARN" value={value} hint={hint} onChange={onChange} />
        </>
      )}
      {preview ? (
        creating ? (
          <RolePolicyPreview
            level={5}
            role={preview}
            intro="Replica Sync creates this role with these two policies when you save."
          />
        ) : (
          <details className="role-details" open={value.trim() === ''}>
            <summary>Policies this role needs</summary>
            <RolePolicyPreview
              level={5}
              role={preview}
              intro="The role you name needs these two policies (or wider ones)."
            />
          </details>
        )
      ) : previewMessage ? (
        <p className="field-hint">{previewMessage}</p>
      ) : null}
    </fieldset>
  );
}
