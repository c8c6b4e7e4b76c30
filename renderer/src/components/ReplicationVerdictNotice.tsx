import type { ReplicationVerdict } from '../../../main/contract/replication.js';
import { VERDICT_LABELS } from '../replication-format.js';

interface Props {
  bucket: string;
  verdict: ReplicationVerdict | null;
  /** What the last save found the service did not keep ("This service did not keep: …"). */
  notKept: string | null;
  checking: boolean;
  failure: string | null;
  onCheck: () => void;
}

/**
 * Whether this service really replicates the bucket's rules: what it did not keep of the last
 * save, and the canary's verdict, with a button to check again.
 */
export function ReplicationVerdictNotice(props: Props) {
  const { bucket, verdict, notKept, checking, failure, onCheck } = props;
  const bad = verdict?.state === 'not-replicating' || verdict?.state === 'failing';
  return (
    <div className="bucket-verdict">
      {notKept ? (
        <div className="notice notice-warn" role="alert">
          <p className="notice-title">{notKept}.</p>
          <p>
            The rules below are what the service stored, not what was sent: replication may not
            behave as configured.
          </p>
        </div>
      ) : null}
      {verdict && verdict.state !== 'replicating' ? (
        <div className={bad ? 'notice notice-error' : 'notice'} role={bad ? 'alert' : 'status'}>
          <p className="notice-title">{VERDICT_LABELS[verdict.state]}</p>
          <p>{verdict.message}</p>
        </div>
      ) : verdict ? (
        <p className="field-hint">{verdict.message}</p>
      ) : null}
      <p className="notice-actions">
        <button
          type="button"
          disabled={checking || verdict?.state === 'checking'}
          aria-label={`Check that ${bucket} replicates`}
          onClick={onCheck}
        >
          {checking || verdict?.state === 'checking'
            ? 'Checking that it replicates…'
            : 'Check that it replicates'}
        </button>
      </p>
      {failure ? (
        <p className="field-error" role="alert">
          {failure}
        </p>
      ) : null}
    </div>
  );
}
