import { useEffect, useState } from 'react';
import type { ReplicationRuleModel, RuleCheck } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { rulesArgs } from '../rule-form.js';
import { asContractError, isCancelled } from './use-live-value.js';

/** How long editing must pause before the rules are checked again. */
export const CHECK_DEBOUNCE_MS = 300;

export interface RuleChecks {
  /** The checks of the rules as last sent; null before the first answer. */
  checks: RuleCheck[] | null;
  /** True from an edit until the answer for it is in. */
  checking: boolean;
  error: ContractError | null;
  /** Asks again (after a fix was applied). */
  recheck(): void;
}

interface Target {
  accountId: string;
  bucket: string;
  region: string;
}

/** replication.check on the rules as the user edits them; null rules (invalid draft) wait. */
export function useRuleChecks(target: Target, rules: ReplicationRuleModel[] | null): RuleChecks {
  const [checks, setChecks] = useState<RuleCheck[] | null>(null);
  const [checkedKey, setCheckedKey] = useState<string | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [round, setRound] = useState(0);
  const { accountId, bucket, region } = target;
  const key = rules === null ? null : `${round}:${JSON.stringify(rules)}`;

  useEffect(() => {
    if (rules === null || key === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .invoke(
          'replication.check',
          { accountId, bucket, region, rules: rulesArgs(rules) },
          { signal: controller.signal },
        )
        .then(
          (answer) => {
            setChecks(answer);
            setError(null);
            setCheckedKey(key);
          },
          (failure: unknown) => {
            if (isCancelled(failure)) return;
            setError(asContractError(failure));
            setCheckedKey(key);
          },
        );
    }, CHECK_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // The key stands for the rules (and a recheck).
  }, [key, accountId, bucket, region]);

  return {
    checks,
    checking: key !== null && key !== checkedKey,
    error,
    recheck: () => setRound((r) => r + 1),
  };
}
