import { useId } from 'react';
import { useI18n } from '../i18n';

export interface PickedFile {
  file: File;
  /** A data: URL for images (the CSP allows data: images, not blob:). */
  preview: string | null;
}

function readPreview(file: File): Promise<string | null> {
  if (!file.type.startsWith('image/')) return Promise.resolve(null);
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : null);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(file);
  });
}

/**
 * Photos from the camera (capture="environment" opens the back camera on phones) or files; previews before upload.
 */
export function PhotoPicker(props: {
  label: string;
  files: PickedFile[];
  onChange: (files: PickedFile[]) => void;
  max: number;
  accept?: string;
  capture?: boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="photos">
        {props.files.map((f, i) => (
          <figure key={`${f.file.name}-${i}`} className="photo">
            {f.preview ? <img src={f.preview} alt={f.file.name} /> : <span className="doc">{f.file.name}</span>}
            <button
              type="button"
              className="link"
              onClick={() => props.onChange(props.files.filter((_, j) => j !== i))}
            >
              {t('removePhoto')}
            </button>
          </figure>
        ))}
      </div>
      <input
        id={id}
        type="file"
        accept={props.accept ?? 'image/*'}
        {...(props.capture ? { capture: 'environment' } : {})}
        multiple={props.max > 1}
        disabled={props.files.length >= props.max}
        onChange={async (e) => {
          const chosen = [...(e.target.files ?? [])];
          e.target.value = '';
          const picked = await Promise.all(chosen.map(async (file) => ({ file, preview: await readPreview(file) })));
          props.onChange([...props.files, ...picked].slice(0, props.max));
        }}
      />
    </div>
  );
}
