import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type {
  BucketReplication,
  ReplicationRuleModel,
  RuleCheck,
  SavedReplication,
} from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { useVersioningFix } from '../hooks/use-versioning-fix.js';
import {
  placeLabel,
  VERDICT_LABELS,
  VERDICT_TONES,
  VERSIONING_LABELS,
} from '../replication-format.js';
import { hasErrors, movedRules, rulesArgs } from '../rule-form.js';
import { ExistingObjectsPanel } from './ExistingObjectsPanel.js';
import { ReplicationVerdictNotice } from './ReplicationVerdictNotice.js';
import { RuleCheckList } from './RuleCheckList.js';
import { RuleEditor } from './RuleEditor.js';
import { RuleSimulator } from './RuleSimulator.js';
import { RuleStatsPanel } from './RuleStatsPanel.js';
import { RulesTable } from './RulesTable.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  accountId: string;
  local: boolean;
  bucket: BucketReplication;
  /** Every bucket of the account (destinations are offered from them). */
  buckets: readonly BucketReplication[];
  onBucket: (bucket: BucketReplication) => void;
  /** Read every bucket again (after versioning changed). */
  onReload: () => void;
}

type Editing = { rule: ReplicationRuleModel | null } | null;
type Tool = 'simulate' | 'existing' | 'stats';

/**
 * One bucket: its versioning, its role, its rules in a table with what can be done to them,
 * the rule editor, and the simulator, the objects written before the rules and the
 * statistics as disclosures.
 */
export function BucketCard({ accountId, local, bucket, buckets, onBucket, onReload }: Props) {
  const headingId = useId();
  const [editing, setEditing] = useState<Editing>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [blocked, setBlocked] = useState<RuleCheck[] | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const [confirmRemoveAll, setConfirmRemoveAll] = useState(false);
  const [open, setOpen] = useState<Record<Tool, boolean>>({
    simulate: false,
    existing: false,
    stats: bucket.rules.length > 0,
  });
  const [notKept, setNotKept] = useState<string | null>(null);
  const [canary, setCanary] = useState<{ checking: boolean; failure: string | null }>({
    checking: false,
    failure: null,
  });
  const addRef = useRef<HTMLButtonElement>(null);
  const versioning = useVersioningFix(accountId, onReload);
  const target = { accountId, bucket: bucket.bucket, region: bucket.region };

  // The canary: does this service replicate what it stored? `base` is the bucket as it is now.
  const check = async (base: BucketReplication): Promise<void> => {
    setCanary({ checking: true, failure: null });
    try {
      const verdict = await api.invoke('replication.canary', target);
      onBucket({ ...base, replicating: verdict });
      setCanary({ checking: false, failure: null });
    } catch (error) {
      setCanary({ checking: false, failure: errorMessage(error) });
    }
  };

  // After a save: what the service did not keep, then the canary the save started.
  const saved = (result: SavedReplication): void => {
    onBucket(result);
    setNotKept(result.notKeptMessage);
  };

  // A canary in flight (started by a save, the two-way wizard, or before a reload): wait for
  // its verdict. The service runs one per bucket, so this joins it.
  const inFlight = bucket.replicating?.state === 'checking';
  useEffect(() => {
    if (inFlight) void check(bucket);
    // Only when a check starts; `bucket` is read as it is then.
  }, [inFlight]);

  const save = async (rules: ReplicationRuleModel[], done: string): Promise<void> => {
    setBusy(true);
    setFailure(null);
    setBlocked(null);
    setConfirmation(null);
    try {
      if (rules.length === 0) {
        await api.invoke('replication.deleteConfig', target);
        onBucket({ ...bucket, rules: [], replicating: null });
        setNotKept(null);
      } else {
        const checks = await api.invoke('replication.check', {
          ...target,
          rules: rulesArgs(rules),
        });
        if (hasErrors(checks)) {
          setBlocked(checks);
          return;
        }
        saved(await api.invoke('replication.save', { ...target, rules: rulesArgs(rules) }));
      }
      setConfirmation(done);
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (rule: ReplicationRuleModel): void =>
    void save(
      bucket.rules.map((r) => (r.id === rule.id ? { ...r, enabled: !r.enabled } : r)),
      `${rule.id} is ${rule.enabled ? 'disabled' : 'enabled'}.`,
    );
  const move = (rule: ReplicationRuleModel, direction: 'up' | 'down'): void => {
    const moved = movedRules(bucket.rules, rule.id, direction);
    if (moved) void save(moved, `${rule.id} moved ${direction === 'up' ? 'up' : 'down'}.`);
  };
  const remove = (rule: ReplicationRuleModel): void =>
    void save(
      bucket.rules.filter((r) => r.id !== rule.id),
      `${rule.id} was deleted.`,
    );

  const closeEditor = (): void => {
    setEditing(null);
    addRef.current?.focus();
  };

  const tool = (name: Tool, summary: string, body: ReactNode) => (
    <details
      className="bucket-tool"
      open={open[name]}
      onToggle={(event) => {
        const isOpen = event.currentTarget.open;
        setOpen((current) => (current[name] === isOpen ? current : { ...current, [name]: isOpen }));
      }}
    >
      <summary>{summary}</summary>
      {open[name] ? body : null}
    </details>
  );

  return (
    <li className="bucket" aria-labelledby={headingId}>
      <div className="bucket-head">
        <h3 id={headingId} className="item-path">
          {bucket.bucket}
        </h3>
        <StateBadge
          label={VERSIONING_LABELS[bucket.versioning]}
          tone={bucket.versioning === 'Enabled' ? 'synced' : 'paused'}
        />
        {bucket.replicating ? (
          <StateBadge
            label={VERDICT_LABELS[bucket.replicating.state]}
            tone={VERDICT_TONES[bucket.replicating.state]}
            detail={bucket.replicating.message}
          />
        ) : null}
      </div>
      {bucket.location !== bucket.region ? (
        <p className="bucket-place">
          Location: <span className="item-path">{placeLabel(bucket)}</span>
        </p>
      ) : null}

      {bucket.versioning !== 'Enabled' ? (
        <div className="notice notice-warn">
          <p>
            Replication needs versioning on the source and on every destination. {bucket.bucket} has
            it {bucket.versioning === 'Off' ? 'off' : 'suspended'}.
          </p>
          <p className="notice-actions">
            <button
              type="button"
              className="button-primary"
              disabled={versioning.fixing !== null}
              onClick={() => void versioning.apply({ kind: 'enable-versioning', ...target })}
            >
              {versioning.fixing
                ? `Enabling versioning on ${bucket.bucket}…`
                : `Enable versioning on ${bucket.bucket}`}
            </button>
          </p>
          {versioning.failure ? (
            <p className="field-error" role="alert">
              {versioning.failure}
            </p>
          ) : null}
        </div>
      ) : null}

      {!local ? (
        <p className="bucket-role">
          IAM role:{' '}
          <span className="item-path">{bucket.role ?? 'none (no rule has been saved yet)'}</span>
        </p>
      ) : null}

      {bucket.rules.length === 0 ? (
        <p className="field-hint">No replication rule: objects written here stay in this bucket.</p>
      ) : (
        <RulesTable
          bucket={bucket.bucket}
          rules={bucket.rules}
          busy={busy || editing !== null}
          onEdit={(rule) => setEditing({ rule })}
          onToggle={toggle}
          onMove={move}
          onDelete={remove}
        />
      )}

      {bucket.rules.length > 0 || notKept ? (
        <ReplicationVerdictNotice
          bucket={bucket.bucket}
          verdict={bucket.replicating}
          notKept={notKept}
          checking={canary.checking}
          failure={canary.failure}
          onCheck={() => void check(bucket)}
        />
      ) : null}

      {blocked ? (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">Not saved: the rules would not work.</p>
          <RuleCheckList
            checks={blocked}
            fixing={versioning.fixing}
            onFix={(fix) => void versioning.apply(fix).then((ok) => ok && setBlocked(null))}
          />
        </div>
      ) : null}
      {failure ? (
        <p className="field-error" role="alert">
          {failure}
        </p>
      ) : null}
      <p className="form-confirmation live-slot" aria-live="polite">
        {confirmation}
      </p>

      {editing ? (
        <RuleEditor
          accountId={accountId}
          local={local}
          source={bucket}
          buckets={buckets}
          editing={editing.rule}
          onSaved={(result) => {
            saved(result);
            setConfirmation(editing.rule ? `${editing.rule.id} was saved.` : 'The rule was added.');
            closeEditor();
          }}
          onCancel={closeEditor}
          onBucketsChanged={onReload}
        />
      ) : confirmRemoveAll ? (
        <div className="folder-confirm" role="group" aria-label="Confirm removing replication">
          <p>
            Remove every replication rule of {bucket.bucket}? Replicas already made stay where they
            are; new objects are no longer copied.
          </p>
          <p className="notice-actions">
            <button
              type="button"
              className="button-danger"
              disabled={busy}
              onClick={() => {
                setConfirmRemoveAll(false);
                void save([], `Replication of ${bucket.bucket} was removed.`);
              }}
            >
              Remove replication
            </button>
            <button type="button" onClick={() => setConfirmRemoveAll(false)}>
              Cancel
            </button>
          </p>
        </div>
      ) : (
        <p className="folder-actions">
          <button
            ref={addRef}
            type="button"
            disabled={busy}
            aria-label={`Add a rule to ${bucket.bucket}`}
            onClick={() => setEditing({ rule: null })}
          >
            Add a rule
          </button>
          {bucket.rules.length > 0 ? (
            <button
              type="button"
              disabled={busy}
              aria-label={`Remove all rules of ${bucket.bucket}`}
              onClick={() => setConfirmRemoveAll(true)}
            >
              Remove all rules…
            </button>
          ) : null}
        </p>
      )}

      {bucket.rules.length > 0 ? (
        <>
          {tool(
            'stats',
            'Replication statistics',
            <RuleStatsPanel {...target} rules={bucket.rules} />,
          )}
          {tool('simulate', 'Simulate a key', <RuleSimulator {...target} />)}
          {tool(
            'existing',
            'Objects written before the rules',
            <ExistingObjectsPanel {...target} />,
          )}
        </>
      ) : null}
    </li>
  );
}
