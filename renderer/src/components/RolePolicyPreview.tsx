import { useId } from 'react';
import type { RolePreview } from '../../../main/contract/replication.js';

interface Props {
  role: RolePreview;
  /** What the preview is for, read before the policies. */
  intro: string;
  /** The level of its heading (the policies' are one below). */
  level?: 4 | 5;
}

/** The IAM role S3 assumes: its name, trust policy and permission policy, as JSON. */
export function RolePolicyPreview({ role, intro, level = 4 }: Props) {
  const id = useId();
  const Heading = level === 4 ? 'h4' : 'h5';
  const Sub = level === 4 ? 'h5' : 'h6';
  return (
    <section className="role-preview" aria-labelledby={`${id}-heading`}>
      <Heading id={`${id}-heading`}>
        IAM role <span className="item-path">{role.roleName}</span>
      </Heading>
      <p className="field-hint">{intro}</p>
      <Sub id={`${id}-trust`}>Trust policy</Sub>
      <pre className="policy" tabIndex={0} aria-labelledby={`${id}-trust`}>
        {role.trustPolicy}
      </pre>
      <Sub id={`${id}-permission`}>Permission policy</Sub>
      <pre className="policy" tabIndex={0} aria-labelledby={`${id}-permission`}>
        {role.permissionPolicy}
      </pre>
    </section>
  );
}
