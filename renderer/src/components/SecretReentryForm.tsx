import { useId, useState, type FormEvent } from 'react';
import type { AccountSummary } from '../../../main/contract/sync.js';
import { setSecretArgs } from '../account-form.js';
import { api } from '../api-instance.js';
import { asContractError } from '../hooks/use-live-value.js';
import { FormInput } from './FormInput.js';

interface Props {
  account: AccountSummary;
}

/**
 * Enters an access-key account's secret again: browser mode keeps secrets in memory only,
 * so after a restart the account needs it once more.
 */
export function SecretReentryForm({ account }: Props) {
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const { args, error: missing } = setSecretArgs(account.id, secret);
    setError(missing);
    if (missing !== undefined) return;
    setBusy(true);
    try {
      await api.invoke('accounts.setSecret', args);
      setSecret('');
      setSaved(true);
      setOpen(false);
    } catch (failure) {
      const e = asContractError(failure);
      setError(e.issues?.[0]?.message ?? e.message);
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <p className="account-secret-again">
        <button type="button" onClick={() => setOpen(true)}>
          Enter secret key again…
        </button>
        {saved ? <span role="status"> Secret key stored.</span> : null}
      </p>
    );
  return (
    <form
      className="account-secret-form"
      aria-label={`Secret key of ${account.label}`}
      noValidate
      onSubmit={(event) => void submit(event)}
    >
      <FormInput
        id={`${id}-secret`}
        label="Secret access key"
        type="password"
        autoComplete="new-password"
        value={secret}
        error={error}
        onChange={setSecret}
      />
      <div className="form-actions">
        <button type="submit" disabled={busy || secret === ''}>
          {busy ? 'Storing…' : 'Store secret key'}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
