// The rule editor's IAM role, from the main side: replication.rolePreview gives the role the
// app would create for the rules (the same generator as the two-way wizard's), and
// replication.listRoles the existing roles S3 may assume.
import { useEffect, useState } from 'react';
import type { ReplicationRuleModel } from '../../../main/contract/replication.js';
import type { ExistingRole, RoleOffer } from '../../../main/contract/replication-commands.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { rulesArgs } from '../rule-form.js';
import { CHECK_DEBOUNCE_MS } from './use-rule-checks.js';
import { asContractError, isCancelled } from './use-live-value.js';

interface Target {
  accountId: string;
  bucket: string;
  region: string;
}

/** replication.rolePreview on the rules as edited; null until the first answer or when local. */
export function useRoleOffer(
  target: Target,
  rules: ReplicationRuleModel[] | null,
  local: boolean,
): RoleOffer | null {
  const [offer, setOffer] = useState<RoleOffer | null>(null);
  const { accountId, bucket, region } = target;
  const key = rules === null || local ? null : JSON.stringify(rules);
  useEffect(() => {
    if (rules === null || key === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .invoke(
          'replication.rolePreview',
          { accountId, bucket, region, rules: rulesArgs(rules) },
          { signal: controller.signal },
        )
        .then(setOffer, (failure: unknown) => {
          if (isCancelled(failure)) return;
          setOffer({
            needed: true,
            message: asContractError(failure).message,
            awsAccountId: null,
            role: null,
          });
        });
    }, CHECK_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // The key stands for the rules.
  }, [key, accountId, bucket, region]);
  return local ? null : offer;
}

export interface ExistingRoles {
  roles: ExistingRole[] | null;
  error: ContractError | null;
}

/** replication.listRoles once per account (not for the local regions). */
export function useExistingRoles(accountId: string, enabled: boolean): ExistingRoles {
  const [state, setState] = useState<ExistingRoles>({ roles: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    api.invoke('replication.listRoles', { accountId }, { signal: controller.signal }).then(
      (roles) => setState({ roles, error: null }),
      (failure: unknown) => {
        if (!isCancelled(failure)) setState({ roles: null, error: asContractError(failure) });
      },
    );
    return () => controller.abort();
  }, [accountId, enabled]);
  return state;
}
