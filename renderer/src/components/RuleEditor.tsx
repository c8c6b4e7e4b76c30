import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type {
  BucketReplication,
  ReplicationRuleModel,
  SavedReplication,
} from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { asContractError } from '../hooks/use-live-value.js';
import { useRoleOffer } from '../hooks/use-role-offer.js';
import { useRuleChecks } from '../hooks/use-rule-checks.js';
import { useVersioningFix } from '../hooks/use-versioning-fix.js';
import { destinationChoices } from '../replication-format.js';
import {
  draftFromRule,
  editDraft,
  hasErrors,
  newRuleDraft,
  ruleFieldOf,
  ruleFromDraft,
  rulesArgs,
  rulesWith,
  STORAGE_CLASSES,
  type RuleDraft,
  type RuleField,
  type RuleFieldErrors,
} from '../rule-form.js';
import { CheckboxField } from './CheckboxField.js';
import { ErrorNotice } from './ErrorNotice.js';
import { FieldError } from './FieldError.js';
import { IssueList } from './IssueList.js';
import { RoleField } from './RoleField.js';
import { RuleCheckList } from './RuleCheckList.js';
import { TextAreaField } from './TextAreaField.js';
import { TextField } from './TextField.js';

interface Props {
  accountId: string;
  /** Local regions need no IAM role. */
  local: boolean;
  source: BucketReplication;
  /** Every bucket of the account: destinations are offered from them. */
  buckets: readonly BucketReplication[];
  /** The rule edited; null for a new rule. */
  editing: ReplicationRuleModel | null;
  /** The bucket as read back, with what the service did not keep. */
  onSaved: (bucket: SavedReplication) => void;
  onCancel: () => void;
  /** A fix changed a bucket (versioning): the list is read again. */
  onBucketsChanged: () => void;
}

function issueFields(issues: readonly Issue[]): { fields: RuleFieldErrors; other: Issue[] } {
  const fields: RuleFieldErrors = {};
  const other: Issue[] = [];
  for (const issue of issues) {
    const field = ruleFieldOf(issue.path);
    if (field && !issue.path.startsWith('role')) fields[field] = issue.message;
    else other.push(issue);
  }
  return { fields, other };
}

/**
 * Creates or edits one rule of a bucket. The bucket's rules with this one in place are sent
 * to replication.check as the user edits; errors block saving, warnings do not; a check may
 * offer "Enable versioning on <bucket>". Save sends every rule of the bucket
 * (replication.save).
 */
export function RuleEditor(props: Props) {
  const { accountId, local, source, buckets, editing, onSaved, onCancel, onBucketsChanged } = props;
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const choices = useMemo(() => destinationChoices(buckets, source), [buckets, source]);
  const [initial] = useState<RuleDraft>(() =>
    editing ? draftFromRule(editing) : newRuleDraft(source.rules, choices[0] ?? null),
  );
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const [role, setRole] = useState(source.role ?? '');
  // AWS without a role yet: create the one previewed (the same generator as the wizard's).
  const [createRole, setCreateRole] = useState(!local && !source.role);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverFields, setServerFields] = useState<RuleFieldErrors>({});
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saveError, setSaveError] = useState<ContractError | null>(null);

  const formRef = useRef<HTMLFormElement>(null);
  const [invalidSubmits, setInvalidSubmits] = useState(0);

  useEffect(() => headingRef.current?.focus(), []);

  // Save with problems in the fields: the first of them gets focus.
  useEffect(() => {
    if (invalidSubmits === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [invalidSubmits]);

  const others = source.rules.filter((r) => r.id !== editing?.id);
  const { rule, errors } = ruleFromDraft(draft, others);
  // Rebuilt on every render; the checks hook asks again only when its JSON changes.
  const rules = rule ? rulesWith(source.rules, rule, editing?.id ?? null) : null;
  const target = { accountId, bucket: source.bucket, region: source.region };
  const checks = useRuleChecks(target, rules);
  const offer = useRoleOffer(target, rules, local);
  // Until the offer is in, creating waits; an offer without a role leaves picking one.
  const creating = !local && createRole && offer?.role !== null;
  const fix = useVersioningFix(accountId, () => {
    checks.recheck();
    onBucketsChanged();
  });

  const edit = (change: Partial<RuleDraft>): void => {
    setDraft((current) => {
      const next = editDraft(current, change);
      // A known bucket brings its region along.
      if (change.destBucket !== undefined) {
        const name = change.destBucket.trim();
        const known = choices.find((c) => c.bucket === name);
        if (known) next.destRegion = known.region;
      }
      return next;
    });
    setServerFields({});
  };

  const shown = (field: RuleField): string | undefined =>
    serverFields[field] ??
    (submitted || draft[field] !== initial[field] ? errors[field] : undefined);

  const checkErrors = checks.checks !== null && hasErrors(checks.checks);
  // Field problems do not disable Save: pressing it shows them all.
  const blocked =
    rule !== null &&
    (checks.checking || checkErrors || checks.error !== null || (creating && !offer?.role));

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setSubmitted(true);
    if (rule === null) setInvalidSubmits((n) => n + 1);
    if (saving || blocked || rules === null) return;
    setSaving(true);
    setSaveError(null);
    setIssues([]);
    try {
      let trimmedRole = role.trim();
      if (creating) {
        const made = await api.invoke('replication.createRole', {
          ...target,
          rules: rulesArgs(rules),
        });
        trimmedRole = made.arn;
        setRole(made.arn);
        setCreateRole(false);
      }
      const saved = await api.invoke('replication.save', {
        accountId,
        bucket: source.bucket,
        region: source.region,
        rules: rulesArgs(rules),
        ...(!local && trimmedRole !== '' ? { role: trimmedRole } : {}),
      });
      onSaved(saved);
    } catch (failure) {
      const error = asContractError(failure);
      const mapped = issueFields(error.issues ?? []);
      setServerFields(mapped.fields);
      setIssues(mapped.other);
      if (!error.issues || error.issues.length === 0) setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const title = editing ? `Edit rule ${editing.id}` : `New rule for ${source.bucket}`;
  const suggestions = choices.map((c) => c.bucket);
  const regionSuggestions = [...new Set(buckets.map((b) => b.region))].sort();
  const checkCount = checks.checks?.filter((c) => c.level === 'error').length ?? 0;
  const status =
    rule === null
      ? 'Complete the rule to check it.'
      : checks.checking
        ? 'Checking…'
        : checks.error
          ? 'The rules could not be checked.'
          : checkCount > 0
            ? `${checkCount === 1 ? '1 error blocks' : `${checkCount} errors block`} saving.`
            : checks.checks && checks.checks.length > 0
              ? 'Warnings only: the rule can be saved.'
              : 'No problems found.';

  return (
    <form
      ref={formRef}
      className="rule-editor"
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(event) => void onSubmit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <h4 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        {title}
      </h4>

      <div className="rule-editor-grid">
        <fieldset>
          <legend>Rule</legend>
          <TextField
            id={`${id}-id`}
            label="Rule ID"
            value={draft.id}
            error={shown('id')}
            hint="A name for the rule, unique in this bucket."
            onChange={(value) => edit({ id: value })}
          />
          <TextField
            id={`${id}-priority`}
            label="Priority"
            value={draft.priority}
            error={shown('priority')}
            hint="When several rules send a key to the same bucket, the highest number wins."
            onChange={(value) => edit({ priority: value })}
          />
          <CheckboxField
            id={`${id}-enabled`}
            label="Enabled"
            checked={draft.enabled}
            hint="A disabled rule stays in the configuration and replicates nothing."
            onChange={(checked) => edit({ enabled: checked })}
          />
        </fieldset>

        <fieldset>
          <legend>Filter</legend>
          <TextField
            id={`${id}-prefix`}
            label="Prefix"
            value={draft.prefix}
            error={shown('prefix')}
            hint="Only keys that start with it; leave empty for every key."
            onChange={(value) => edit({ prefix: value })}
          />
          <TextAreaField
            id={`${id}-tags`}
            label="Tags"
            value={draft.tags}
            error={shown('tags')}
            hint="Only objects with all these tags; one key=value per line, up to 10."
            placeholder="project=atlas"
            onChange={(value) => edit({ tags: value })}
          />
        </fieldset>

        <fieldset>
          <legend>Destination</legend>
          <TextField
            id={`${id}-destBucket`}
            label="Destination bucket"
            value={draft.destBucket}
            error={shown('destBucket')}
            suggestions={suggestions}
            hint="The versioned bucket the replicas go to, in any region."
            onChange={(value) => edit({ destBucket: value })}
          />
          <TextField
            id={`${id}-destRegion`}
            label="Destination region"
            value={draft.destRegion}
            error={shown('destRegion')}
            suggestions={regionSuggestions}
            hint="Filled in for a bucket of this account; needed for a bucket of another account."
            onChange={(value) => edit({ destRegion: value })}
          />
          <TextField
            id={`${id}-destAccount`}
            label="Destination account"
            value={draft.destAccount}
            error={shown('destAccount')}
            hint="Only for a bucket of another AWS account: its 12-digit account id."
            onChange={(value) => edit({ destAccount: value })}
          />
          <div className="field">
            <label htmlFor={`${id}-storageClass`}>Storage class</label>
            <select
              id={`${id}-storageClass`}
              value={draft.storageClass}
              aria-invalid={shown('storageClass') ? true : undefined}
              aria-describedby={shown('storageClass') ? `${id}-storageClass-error` : undefined}
              onChange={(event) => edit({ storageClass: event.target.value })}
            >
              {STORAGE_CLASSES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
              {STORAGE_CLASSES.some((c) => c.value === draft.storageClass) ? null : (
                <option value={draft.storageClass}>{draft.storageClass}</option>
              )}
            </select>
            <FieldError id={`${id}-storageClass-error`} message={shown('storageClass')} />
          </div>
          <CheckboxField
            id={`${id}-ownerOverride`}
            label="Owner override"
            checked={draft.ownerOverride}
            hint="Replicas are owned by the destination account (needs the destination account)."
            onChange={(checked) => edit({ ownerOverride: checked })}
          />
        </fieldset>

        <fieldset>
          <legend>Options</legend>
          <CheckboxField
            id={`${id}-rtc`}
            label="Replication Time Control"
            checked={draft.rtc}
            hint="S3 copies 99.99% of objects within 15 minutes; turns metrics on."
            onChange={(checked) => edit({ rtc: checked })}
          />
          <CheckboxField
            id={`${id}-metrics`}
            label="Replication metrics"
            checked={draft.metrics}
            hint="Pending bytes, operations and latency in CloudWatch."
            onChange={(checked) => edit({ metrics: checked })}
          />
          <CheckboxField
            id={`${id}-deleteMarkers`}
            label="Replicate delete markers"
            checked={draft.deleteMarkerReplication}
            hint="A delete in the source hides the file in the replica too."
            onChange={(checked) => edit({ deleteMarkerReplication: checked })}
          />
          <CheckboxField
            id={`${id}-replicaModifications`}
            label="Replica modification sync"
            checked={draft.replicaModifications}
            hint="Tag and ACL changes made on a replica go back to the source."
            onChange={(checked) => edit({ replicaModifications: checked })}
          />
        </fieldset>
      </div>

      <RoleField
        id={`${id}-role`}
        accountId={accountId}
        local={local}
        value={role}
        onChange={setRole}
        preview={offer?.role ?? null}
        previewMessage={offer?.message}
        create={{ chosen: creating, onChoose: setCreateRole }}
      />

      <section className="checks" aria-labelledby={`${id}-checks`}>
        <h5 id={`${id}-checks`}>Checks</h5>
        <p className="field-hint" role="status">
          {status}
        </p>
        {checks.error ? (
          <ErrorNotice
            title="Could not check the rules."
            error={checks.error}
            onRetry={checks.recheck}
          />
        ) : null}
        {checks.checks && checks.checks.length > 0 && rule !== null ? (
          <RuleCheckList
            checks={checks.checks}
            fixing={fix.fixing}
            onFix={(f) => void fix.apply(f)}
          />
        ) : null}
        {fix.failure ? (
          <p className="field-error" role="alert">
            {fix.failure}
          </p>
        ) : null}
      </section>

      <IssueList title="The rule was not saved." issues={issues} />
      {saveError ? <ErrorNotice title="The rule was not saved." error={saveError} /> : null}

      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving || blocked}>
          {saving ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" disabled={saving} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
