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

/** What the server stores as proof: JPEG, PNG or PDF. */
const DOCUMENT_TYPES = 'image/jpeg,image/png,application/pdf';

/**
 * Proof from the camera or from files, previewed before upload. Two controls, because one cannot do both on a
 * phone: `capture` opens the camera only (and takes images only), while a plain file input opens the gallery and
 * files, where a PDF or an earlier photo lives.
 */
export function PhotoPicker(props: {
  label: string;
  files: PickedFile[];
  /** A state setter: added files are merged into the list as it is when their previews are ready. */
  onChange: (update: PickedFile[] | ((current: PickedFile[]) => PickedFile[])) => void;
  max: number;
}) {
  const { t } = useI18n();
  const full = props.files.length >= props.max;
  const add = async (input: HTMLInputElement) => {
    const chosen = [...(input.files ?? [])];
    input.value = '';
    const picked = await Promise.all(chosen.map(async (file) => ({ file, preview: await readPreview(file) })));
    // Not props.files: another pick may have landed while these previews were read.
    props.onChange((current) => [...current, ...picked].slice(0, props.max));
  };
  return (
    <fieldset className="field">
      <legend>{props.label}</legend>
      {props.files.length > 0 ? (
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
      ) : null}
      {full ? null : (
        <div className="pick-row">
          <label className="pick">
            <input type="file" accept="image/*" capture="environment" onChange={(e) => void add(e.target)} />
            {t('takePhoto')}
          </label>
          <label className="pick">
            <input type="file" accept={DOCUMENT_TYPES} multiple={props.max > 1} onChange={(e) => void add(e.target)} />
            {props.max > 1 ? t('chooseFiles') : t('chooseFile')}
          </label>
        </div>
      )}
    </fieldset>
  );
}
