import { useState } from 'react';
import type { ReplicationRuleModel } from '../../../main/contract/replication.js';
import {
  describePrefix,
  describeRtc,
  describeTags,
  storageClassLabel,
  yesNo,
} from '../replication-format.js';
import { byPriority } from '../rule-form.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  bucket: string;
  rules: readonly ReplicationRuleModel[];
  /** Every button waits while a change is saved. */
  busy: boolean;
  onEdit: (rule: ReplicationRuleModel) => void;
  onToggle: (rule: ReplicationRuleModel) => void;
  onMove: (rule: ReplicationRuleModel, direction: 'up' | 'down') => void;
  onDelete: (rule: ReplicationRuleModel) => void;
}

/** Every field of every rule of a bucket, highest priority first, with what can be done. */
export function RulesTable({ bucket, rules, busy, onEdit, onToggle, onMove, onDelete }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const ordered = byPriority(rules);
  return (
    <div className="table-scroll" role="region" aria-label={`Rules of ${bucket}`} tabIndex={0}>
      <table className="rules-table">
        <caption className="visually-hidden">
          Replication rules of {bucket}, highest priority first
        </caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            <th scope="col">Rule ID</th>
            <th scope="col">Status</th>
            <th scope="col">Filter</th>
            <th scope="col">Destination</th>
            <th scope="col">Options</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((rule, index) => (
            <tr key={rule.id}>
              <td className="rules-number">{rule.priority}</td>
              <th scope="row" className="item-path">
                {rule.id}
              </th>
              <td>
                <StateBadge
                  label={rule.enabled ? 'Enabled' : 'Disabled'}
                  tone={rule.enabled ? 'synced' : 'paused'}
                />
              </td>
              <td>
                <dl className="rules-facts">
                  <div>
                    <dt>Prefix</dt>
                    <dd className="item-path">{describePrefix(rule)}</dd>
                  </div>
                  <div>
                    <dt>Tags</dt>
                    <dd>{describeTags(rule)}</dd>
                  </div>
                </dl>
              </td>
              <td>
                <dl className="rules-facts">
                  <div>
                    <dt>Bucket</dt>
                    <dd className="item-path">{rule.destination.bucket}</dd>
                  </div>
                  <div>
                    <dt>Region</dt>
                    <dd>{rule.destination.region ?? 'Not given'}</dd>
                  </div>
                  <div>
                    <dt>Account</dt>
                    <dd>{rule.destination.account ?? 'This account'}</dd>
                  </div>
                  <div>
                    <dt>Storage class</dt>
                    <dd>{storageClassLabel(rule.destination.storageClass)}</dd>
                  </div>
                  <div>
                    <dt>Owner override</dt>
                    <dd>{yesNo(rule.destination.ownerOverride)}</dd>
                  </div>
                </dl>
              </td>
              <td>
                <dl className="rules-facts">
                  <div>
                    <dt>RTC</dt>
                    <dd>{describeRtc(rule)}</dd>
                  </div>
                  <div>
                    <dt>Delete markers</dt>
                    <dd>{rule.deleteMarkerReplication ? 'Replicated' : 'Not replicated'}</dd>
                  </div>
                  <div>
                    <dt>Replica modifications</dt>
                    <dd>{rule.replicaModifications ? 'Synced' : 'Not synced'}</dd>
                  </div>
                </dl>
              </td>
              <td>
                {confirming === rule.id ? (
                  <span className="rules-actions" role="group" aria-label={`Delete ${rule.id}?`}>
                    <button
                      type="button"
                      className="button-danger"
                      disabled={busy}
                      onClick={() => {
                        setConfirming(null);
                        onDelete(rule);
                      }}
                    >
                      Delete rule
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <span className="rules-actions">
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Edit ${rule.id}`}
                      onClick={() => onEdit(rule)}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.id}`}
                      onClick={() => onToggle(rule)}
                    >
                      {rule.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      disabled={busy || index === 0}
                      aria-label={`Raise priority of ${rule.id}`}
                      onClick={() => onMove(rule, 'up')}
                    >
                      Raise
                    </button>
                    <button
                      type="button"
                      disabled={busy || index === ordered.length - 1}
                      aria-label={`Lower priority of ${rule.id}`}
                      onClick={() => onMove(rule, 'down')}
                    >
                      Lower
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Delete ${rule.id}`}
                      onClick={() => setConfirming(rule.id)}
                    >
                      Delete…
                    </button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
