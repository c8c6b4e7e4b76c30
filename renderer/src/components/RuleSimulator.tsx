import { useId, useState, type FormEvent } from 'react';
import type { SimulationResult } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { asContractError } from '../hooks/use-live-value.js';
import { storageClassLabel } from '../replication-format.js';
import { parseTags } from '../rule-form.js';
import { ErrorNotice } from './ErrorNotice.js';
import { TextAreaField } from './TextAreaField.js';
import { TextField } from './TextField.js';

interface Props {
  accountId: string;
  bucket: string;
  region: string;
}

/** Which rule would send a key (with tags) where, in which storage class, deletes or not. */
export function RuleSimulator({ accountId, bucket, region }: Props) {
  const id = useId();
  const [path, setPath] = useState('');
  const [tags, setTags] = useState('');
  const [tagError, setTagError] = useState<string | undefined>();
  const [result, setResult] = useState<SimulationResult | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [running, setRunning] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const parsed = parseTags(tags);
    setTagError(parsed.error ?? undefined);
    if (parsed.error || running) return;
    setRunning(true);
    setError(null);
    try {
      setResult(
        await api.invoke('replication.simulate', {
          accountId,
          bucket,
          region,
          path,
          ...(parsed.tags.length > 0 ? { tags: parsed.tags } : {}),
        }),
      );
    } catch (failure) {
      setResult(null);
      setError(asContractError(failure));
    } finally {
      setRunning(false);
    }
  };

  return (
    <form
      className="simulator"
      aria-label={`Simulate the rules of ${bucket}`}
      noValidate
      onSubmit={(event) => void onSubmit(event)}
    >
      <TextField
        id={`${id}-path`}
        label="Key"
        value={path}
        hint="A key as the folder would write it, e.g. photos/2024/beach.jpg."
        onChange={setPath}
      />
      <TextAreaField
        id={`${id}-tags`}
        label="Object tags"
        value={tags}
        error={tagError}
        rows={2}
        hint="Optional: one key=value per line."
        onChange={setTags}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={running}>
          {running ? 'Simulating…' : 'Simulate'}
        </button>
      </div>
      {error ? <ErrorNotice title="Could not simulate the rules." error={error} /> : null}
      <div className="live-slot" aria-live="polite">
        {result ? (
          <div className="simulation">
            <p>{result.explanation}</p>
            {result.matches.length === 0 ? (
              <p className="field-hint">No rule replicates this key.</p>
            ) : (
              <table className="simple-table">
                <caption className="visually-hidden">Where the key would be replicated</caption>
                <thead>
                  <tr>
                    <th scope="col">Destination</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Storage class</th>
                    <th scope="col">Deletes follow</th>
                  </tr>
                </thead>
                <tbody>
                  {result.matches.map((m) => (
                    <tr key={`${m.bucket}:${m.region ?? ''}`}>
                      <th scope="row" className="item-path">
                        {m.region ? `${m.bucket} (${m.region})` : m.bucket}
                      </th>
                      <td className="item-path">{m.ruleId}</td>
                      <td>{storageClassLabel(m.storageClass)}</td>
                      <td>{m.deletesFollow ? 'Yes: delete markers are replicated' : 'No'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ) : null}
      </div>
    </form>
  );
}
