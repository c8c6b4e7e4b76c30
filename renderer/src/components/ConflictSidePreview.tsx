import type { ConflictPreview } from '../../../main/contract/conflicts.js';
import { formatBytes } from '../display-format.js';

interface Props {
  /** The side's name, e.g. "Version on this computer". */
  title: string;
  preview: ConflictPreview;
}

/** Only images the browser draws from data: URLs (CSP img-src data:). */
const IMAGE_MIME = /^image\/[a-z0-9.+-]+$/i;

/** One side's content: the text, the image, or what is known of a binary file. */
export function ConflictSidePreview({ title, preview }: Props) {
  return (
    <figure className="side-preview">
      <figcaption className="side-preview-title">{title}</figcaption>
      {preview.kind === 'text' ? (
        <>
          <pre className="side-preview-text" tabIndex={0} aria-label={`Text of ${title}`}>
            {preview.text}
          </pre>
          {preview.truncated ? (
            <p className="field-hint">Only the beginning of the file is shown.</p>
          ) : null}
        </>
      ) : preview.kind === 'image' && IMAGE_MIME.test(preview.mime) ? (
        <img
          className="side-preview-image"
          src={`data:${preview.mime};base64,${preview.dataBase64}`}
          alt={`Image of ${title}`}
        />
      ) : (
        <dl className="detail-facts">
          <div>
            <dt>Content</dt>
            <dd>{preview.kind === 'image' ? `Image (${preview.mime})` : 'Binary file'}</dd>
          </div>
          {preview.kind === 'binary' ? (
            <>
              <div>
                <dt>Size</dt>
                <dd>{formatBytes(preview.size)}</dd>
              </div>
              <div>
                <dt>SHA-256</dt>
                <dd className="item-path">{preview.sha256 ?? 'Not known'}</dd>
              </div>
            </>
          ) : null}
        </dl>
      )}
    </figure>
  );
}
