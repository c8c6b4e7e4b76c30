import { useCallback, useState } from 'react';
import type { RuleCheck } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { fixKey } from '../rule-form.js';

export interface VersioningFix {
  /** fixKey of the fix in flight. */
  fixing: string | null;
  failure: string | null;
  apply(fix: NonNullable<RuleCheck['fix']>): Promise<boolean>;
}

/** Applies a check's "Enable versioning on <bucket>" fix (folders.enableVersioning). */
export function useVersioningFix(accountId: string, onFixed: () => void): VersioningFix {
  const [fixing, setFixing] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const apply = useCallback(
    async (fix: NonNullable<RuleCheck['fix']>): Promise<boolean> => {
      setFixing(fixKey(fix));
      setFailure(null);
      try {
        await api.invoke('folders.enableVersioning', {
          accountId,
          bucket: fix.bucket,
          region: fix.region,
        });
        onFixed();
        return true;
      } catch (error) {
        setFailure(`Versioning was not enabled on ${fix.bucket}: ${errorMessage(error)}`);
        return false;
      } finally {
        setFixing(null);
      }
    },
    [accountId, onFixed],
  );
  return { fixing, failure, apply };
}
