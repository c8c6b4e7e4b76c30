import { useEffect, useId, useRef, useState } from 'react';
import type { BucketReplication, SavedReplication } from '../../../main/contract/replication.js';
import type { TwoWayPreview } from '../../../main/contract/replication-commands.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { asContractError } from '../hooks/use-live-value.js';
import { useVersioningFix } from '../hooks/use-versioning-fix.js';
import { hasErrors } from '../rule-form.js';
import { ErrorNotice } from './ErrorNotice.js';
import { RoleField } from './RoleField.js';
import { RolePolicyPreview } from './RolePolicyPreview.js';
import { RuleCheckList } from './RuleCheckList.js';

interface Props {
  accountId: string;
  local: boolean;
  buckets: readonly BucketReplication[];
  /** Both buckets as read back, with what each service did not keep. */
  onCreated: (a: SavedReplication, b: SavedReplication) => void;
  /** A fix changed a bucket (versioning): the list is read again. */
  onBucketsChanged: () => void;
  onClose: () => void;
}

interface Ref {
  bucket: string;
  region: string;
}

const SEP = '\u0000';
const keyOf = (b: Ref): string => `${b.bucket}${SEP}${b.region}`;
function refOf(key: string): Ref | null {
  const [bucket, region] = key.split(SEP);
  return bucket && region ? { bucket, region } : null;
}

/**
 * A modal dialog: pick two buckets (any regions), preview what two-way replication does
 * (replication.previewTwoWay: the steps, the checks, on AWS the role), then create it with
 * one confirmed step (replication.createTwoWay).
 */
export function TwoWayWizard(props: Props) {
  const { accountId, local, buckets, onCreated, onBucketsChanged, onClose } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const sorted = [...buckets].sort(
    (x, y) => x.region.localeCompare(y.region) || x.bucket.localeCompare(y.bucket),
  );
  const first = sorted[0];
  const other = sorted.find((b) => first && b.region !== first.region) ?? sorted[1];
  const [a, setA] = useState(first ? keyOf(first) : '');
  const [b, setB] = useState(other ? keyOf(other) : '');
  const [preview, setPreview] = useState<TwoWayPreview | null>(null);
  const [roleChoice, setRoleChoice] = useState<'create' | 'existing'>('create');
  const [roleArn, setRoleArn] = useState('');
  const [busy, setBusy] = useState<'preview' | 'create' | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const existingRole = (p: TwoWayPreview): boolean =>
    !local && (p.role === null || roleChoice === 'existing');
  const refA = refOf(a);
  const refB = refOf(b);
  const same = a !== '' && a === b;

  const runPreview = async (): Promise<void> => {
    if (!refA || !refB || same) return;
    setBusy('preview');
    setError(null);
    try {
      setPreview(await api.invoke('replication.previewTwoWay', { accountId, a: refA, b: refB }));
    } catch (failure) {
      setPreview(null);
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const fix = useVersioningFix(accountId, () => {
    onBucketsChanged();
    void runPreview();
  });

  const create = async (): Promise<void> => {
    if (!refA || !refB || !preview) return;
    setBusy('create');
    setError(null);
    try {
      const useExisting = existingRole(preview);
      const result = await api.invoke('replication.createTwoWay', {
        accountId,
        a: refA,
        b: refB,
        createRole: preview.role !== null && roleChoice === 'create',
        ...(useExisting && roleArn.trim() !== '' ? { role: roleArn.trim() } : {}),
      });
      onCreated(result.a, result.b);
      const notKept = [result.a, result.b]
        .filter((side) => side.notKeptMessage !== null)
        .map((side) => ` ${side.bucket}: ${side.notKeptMessage ?? ''}.`)
        .join('');
      setCreated(
        `Two-way replication between ${refA.bucket} (${refA.region}) and ${refB.bucket} (${refB.region}) is set up.${notKept}`,
      );
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const choose = (setter: (key: string) => void, key: string): void => {
    setter(key);
    setPreview(null);
    setError(null);
  };

  const option = (bucket: BucketReplication) => (
    <option key={keyOf(bucket)} value={keyOf(bucket)}>
      {bucket.bucket} ({bucket.region})
    </option>
  );

  // Without a role to create (custom service, unknown AWS account) the user names one: that
  // answers the preview's role error.
  const named = roleArn.trim() !== '';
  const blocked =
    preview === null ||
    hasErrors(preview.checks.filter((c) => !(c.field === 'role' && named))) ||
    (existingRole(preview) && !named);

  return (
    <dialog
      ref={ref}
      className="wizard"
      aria-labelledby={`${id}-heading`}
      onCancel={(event) => {
        event.preventDefault();
        if (busy !== 'create') onClose();
      }}
    >
      <h2 id={`${id}-heading`}>Set up two-way replication</h2>
      {created ? (
        <>
          <p className="form-confirmation" role="status">
            {created}
          </p>
          <p className="field-hint">
            Every object written from now on in either bucket is copied to the other; replicas are
            never copied back, so there is no loop.
          </p>
          <p className="form-actions">
            <button type="button" className="button-primary" autoFocus onClick={onClose}>
              Done
            </button>
          </p>
        </>
      ) : (
        <>
          <p className="field-hint">
            Two buckets replicate into each other: a rule on each, versioning on both, delete
            markers replicated both ways.
          </p>
          <div className="wizard-pick">
            <div className="field">
              <label htmlFor={`${id}-a`}>Bucket A</label>
              <select id={`${id}-a`} value={a} onChange={(e) => choose(setA, e.target.value)}>
                {sorted.map(option)}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-b`}>Bucket B</label>
              <select
                id={`${id}-b`}
                value={b}
                aria-invalid={same ? true : undefined}
                aria-describedby={same ? `${id}-same` : undefined}
                onChange={(e) => choose(setB, e.target.value)}
              >
                {sorted.map(option)}
              </select>
              {same ? (
                <p className="field-error" id={`${id}-same`}>
                  Choose two different buckets.
                </p>
              ) : null}
            </div>
          </div>
          <p className="form-actions">
            <button
              type="button"
              disabled={busy !== null || same || !refA || !refB}
              onClick={() => void runPreview()}
            >
              {busy === 'preview' ? 'Previewing…' : preview ? 'Preview again' : 'Preview'}
            </button>
          </p>

          {error ? <ErrorNotice title="That did not work." error={error} /> : null}

          {preview ? (
            <section className="wizard-preview" aria-label="Preview">
              <h3>What will be done</h3>
              <ol className="wizard-steps" aria-label="Steps">
                {preview.steps.map((step, i) => (
                  <li key={`${i}:${step}`}>{step}</li>
                ))}
              </ol>
              {preview.checks.length > 0 ? (
                <>
                  <h3>Checks</h3>
                  <RuleCheckList
                    checks={preview.checks}
                    fixing={fix.fixing}
                    onFix={(f) => void fix.apply(f)}
                  />
                  {fix.failure ? (
                    <p className="field-error" role="alert">
                      {fix.failure}
                    </p>
                  ) : null}
                </>
              ) : (
                <p className="field-hint">Checks: no problems found.</p>
              )}
              {preview.role ? (
                <fieldset>
                  <legend>IAM role</legend>
                  <div className="field field-check">
                    <input
                      id={`${id}-create-role`}
                      type="radio"
                      name={`${id}-role`}
                      checked={roleChoice === 'create'}
                      onChange={() => setRoleChoice('create')}
                    />
                    <label htmlFor={`${id}-create-role`}>Create this role</label>
                  </div>
                  <div className="field field-check">
                    <input
                      id={`${id}-existing-role`}
                      type="radio"
                      name={`${id}-role`}
                      checked={roleChoice === 'existing'}
                      onChange={() => setRoleChoice('existing')}
                    />
                    <label htmlFor={`${id}-existing-role`}>Use a role I already have</label>
                  </div>
                  {roleChoice === 'create' ? (
                    <RolePolicyPreview
                      role={preview.role}
                      intro="Replica Sync creates this role with these two policies when you confirm."
                    />
                  ) : (
                    <RoleField
                      id={`${id}-role-arn`}
                      accountId={accountId}
                      local={false}
                      value={roleArn}
                      onChange={setRoleArn}
                      preview={preview.role}
                      hint="The ARN of a role S3 can assume for both buckets, e.g. arn:aws:iam::111122223333:role/replication."
                    />
                  )}
                </fieldset>
              ) : local ? (
                <RoleField
                  id={`${id}-role-arn`}
                  accountId={accountId}
                  local
                  value=""
                  onChange={setRoleArn}
                  preview={null}
                />
              ) : (
                <RoleField
                  id={`${id}-role-arn`}
                  accountId={accountId}
                  local={false}
                  value={roleArn}
                  onChange={setRoleArn}
                  preview={null}
                  hint="The ARN of the role (or replication target) S3 assumes for both buckets."
                />
              )}
            </section>
          ) : null}

          <p className="form-actions">
            <button
              type="button"
              className="button-primary"
              disabled={busy !== null || blocked}
              onClick={() => void create()}
            >
              {busy === 'create' ? 'Creating…' : 'Create two-way replication'}
            </button>
            <button type="button" disabled={busy === 'create'} onClick={onClose}>
              Cancel
            </button>
          </p>
        </>
      )}
    </dialog>
  );
}
